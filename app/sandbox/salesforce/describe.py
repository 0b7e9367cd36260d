"""Describe results: the global describe, an sObject's basic information, and its full describe."""

from __future__ import annotations

from typing import Any

from app.sandbox.salesforce.schema import CHILD_RELATIONSHIPS, FieldDef, ObjectDef


def object_urls(definition: ObjectDef, api_version: str) -> dict[str, str]:
    """The ``urls`` of an sObject."""
    base = f"/services/data/v{api_version}/sobjects/{definition.name}"
    return {
        "rowTemplate": f"{base}/{{ID}}",
        "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
        "describe": f"{base}/describe",
        "sobject": base,
        "listviews": f"{base}/listviews",
    }


def object_summary(definition: ObjectDef, api_version: str) -> dict[str, Any]:
    """The sObject's entry in the global describe (and ``objectDescribe`` of its basic information)."""
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": definition.createable,
        "custom": False,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": definition.deletable,
        "deprecatedAndHidden": False,
        "feedEnabled": definition.name in {"Account", "Contact", "Lead", "Opportunity", "Case"},
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": definition.key_prefix,
        "label": definition.label,
        "labelPlural": definition.label_plural,
        "layoutable": definition.name not in {"EventRelation", "EmailMessageRelation", "ContentDocumentLink"},
        "mergeable": definition.name in {"Account", "Contact", "Lead"},
        "mruEnabled": definition.name not in {"EventRelation", "EmailMessageRelation", "ContentDocumentLink"},
        "name": definition.name,
        "queryable": True,
        "replicateable": definition.replicateable,
        "retrieveable": True,
        "searchable": definition.searchable,
        "triggerable": True,
        "undeletable": definition.undeletable,
        "updateable": definition.updateable,
        "urls": object_urls(definition, api_version),
    }


def global_describe(objects: list[ObjectDef], api_version: str) -> dict[str, Any]:
    """The global describe: encoding, batch size and every sObject."""
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [object_summary(d, api_version) for d in objects],
    }


def field_describe(field_def: FieldDef) -> dict[str, Any]:
    """One field as describe reports it."""
    kind = field_def.type
    picklist = [
        {"active": True, "defaultValue": entry.default, "label": entry.label, "validFor": None, "value": entry.value}
        for entry in field_def.picklist
    ]
    filterable = kind not in {"textarea", "base64"} or field_def.length <= 255
    return {
        "aggregatable": kind not in {"textarea", "base64", "boolean"},
        "aiPredictionField": False,
        "autoNumber": field_def.auto_number,
        "byteLength": field_def.length * 3 if field_def.is_text or kind in {"id", "reference"} else 0,
        "calculated": field_def.calculated,
        "cascadeDelete": field_def.cascade_delete,
        "caseSensitive": False,
        "createable": field_def.createable,
        "custom": field_def.custom,
        "defaultValue": field_def.default if kind != "boolean" and field_def.default is not None else None,
        "defaultValueFormula": None,
        "defaultedOnCreate": field_def.defaulted_on_create,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": field_def.digits,
        "externalId": field_def.external_id,
        "filterable": filterable,
        "groupable": kind not in {"textarea", "base64", "double", "currency", "percent", "datetime"},
        "htmlFormatted": field_def.name == "HtmlBody",
        "idLookup": kind == "id" or field_def.external_id or field_def.name in {"Email", "Username"},
        "label": field_def.label,
        "length": field_def.length if field_def.is_text or kind in {"id", "reference"} else 0,
        "name": field_def.name,
        "nameField": field_def.name_field,
        "namePointing": len(field_def.reference_to) > 1,
        "nillable": field_def.nillable,
        "permissionable": field_def.nillable and (field_def.createable or field_def.updateable),
        "picklistValues": picklist,
        "polymorphicForeignKey": len(field_def.reference_to) > 1,
        "precision": field_def.precision,
        "queryByDistance": False,
        "referenceTo": list(field_def.reference_to),
        "relationshipName": field_def.relationship_name,
        "relationshipOrder": None,
        "restrictedPicklist": field_def.restricted,
        "scale": field_def.scale,
        "searchPrefilterable": False,
        "soapType": field_def.soap_type,
        "sortable": kind not in {"textarea", "base64"} or field_def.length <= 255,
        "type": kind,
        "unique": field_def.unique,
        "updateable": field_def.updateable,
        "writeRequiresMasterRead": False,
    }


def object_describe(definition: ObjectDef, api_version: str, available: set[str]) -> dict[str, Any]:
    """The full describe of an sObject (child relationships only to objects in ``available``)."""
    body = object_summary(definition, api_version)
    urls = object_urls(definition, api_version)
    body.update(
        {
            "actionOverrides": [],
            "childRelationships": [
                {
                    "cascadeDelete": r.cascade_delete,
                    "childSObject": r.child_object,
                    "deprecatedAndHidden": False,
                    "field": r.field,
                    "junctionIdListNames": [],
                    "junctionReferenceTo": [],
                    "relationshipName": r.name,
                    "restrictedDelete": False,
                }
                for r in CHILD_RELATIONSHIPS.get(definition.name, ())
                if r.child_object in available
            ],
            "compactLayoutable": body["layoutable"],
            "fields": [field_describe(f) for f in definition.iter_fields()],
            "listviewable": None,
            "lookupLayoutable": None,
            "namedLayoutInfos": [],
            "networkScopeFieldName": None,
            "recordTypeInfos": [
                {
                    "active": True,
                    "available": True,
                    "defaultRecordTypeMapping": True,
                    "developerName": "Master",
                    "master": True,
                    "name": "Master",
                    "recordTypeId": "012000000000000AAA",
                    "urls": {"layout": f"{urls['describe']}/layouts/012000000000000AAA"},
                }
            ],
            "searchLayoutable": definition.searchable,
            "supportedScopes": [
                {"label": "All " + definition.label_plural.lower(), "name": "everything"},
                *([{"label": "My " + definition.label_plural.lower(), "name": "mine"}] if definition.owned else []),
            ],
        }
    )
    return dict(sorted(body.items()))
