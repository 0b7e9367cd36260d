"""The Outlook add-in manifest: valid against Office's schemas (offline) as it stands and as the service serves it,
with icons at the sizes Office requires, and a task pane that loads Office.js from Microsoft."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from app.api.addin import OFFICE_JS_URL
from app.main import create_app
from app.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The schemas beside the repository (../shared/schemas/office-addin, see ../shared/DESIGN.md) ...
SHARED_SCHEMAS = REPO_ROOT.parent / "shared" / "schemas" / "office-addin"
#: ... and the copy kept with the tests, for a checkout that has no ../shared beside it.
COPIED_SCHEMAS = Path(__file__).resolve().parent / "office-addin-schemas"
SCHEMAS = SHARED_SCHEMAS if (SHARED_SCHEMAS / "OfficeAppManifestV1_1.xsd").is_file() else COPIED_SCHEMAS
MANIFEST = REPO_ROOT / "addin" / "manifest.xml"
STATIC = REPO_ROOT / "static"
NS = {
    "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
    "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
    "m11": "http://schemas.microsoft.com/office/mailappversionoverrides/1.1",
}
CLIENT_ID = "6a1f4b2e-0d3c-4e5f-8a9b-0c1d2e3f4a5b"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    """Office's manifest schema (OfficeAppManifestV1_1.xsd and the files it imports), loaded without network."""
    root = SCHEMAS / "OfficeAppManifestV1_1.xsd"
    if not root.is_file():
        pytest.fail(
            f"The Office add-in manifest schemas are missing: expected {root} "
            "(../shared/schemas/office-addin, or the copy in tests/addin/office-addin-schemas)."
        )
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(root), parser))


def _parse(text: bytes) -> etree._ElementTree:
    return etree.ElementTree(etree.fromstring(text, etree.XMLParser(no_network=True, resolve_entities=False)))


def _assert_valid(schema: etree.XMLSchema, document: etree._ElementTree) -> None:
    assert schema.validate(document), "\n".join(f"line {e.line}: {e.message}" for e in schema.error_log)


def _urls(document: etree._ElementTree) -> list[str]:
    values = document.xpath("//@DefaultValue") + document.xpath("//o:AppDomain/text()", namespaces=NS)
    return [str(value) for value in values if str(value).startswith(("http://", "https://"))]


def test_the_manifest_file_is_valid_for_a_local_install(schema: etree.XMLSchema) -> None:
    document = _parse(MANIFEST.read_bytes())
    _assert_valid(schema, document)
    assert {url.split("/", 3)[2] for url in _urls(document)} == {"localhost:8000"}
    assert all(url.startswith("https://") for url in _urls(document))
    task_panes = document.xpath(
        "//m11:Action[@xsi:type='ShowTaskpane']", namespaces={**NS, "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
    )
    assert len(task_panes) == 2  # read and compose
    assert all(pane.findtext("m11:SupportsPinning", namespaces=NS) == "true" for pane in task_panes)


@pytest.fixture
def served(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """The service of a deployment at a public address with its own Entra ID app."""
    deployed = settings.model_copy(
        update={"public_url": "https://crm.example.com/bridge/", "microsoft_client_id": CLIENT_ID}
    )
    with TestClient(create_app(deployed, engine)) as client:
        yield client


def test_the_served_manifest_names_the_deployment(schema: etree.XMLSchema, served: TestClient) -> None:
    answer = served.get("/addin/manifest.xml")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/xml")
    document = _parse(answer.content)
    _assert_valid(schema, document)
    urls = _urls(document)
    assert urls and all(url.startswith("https://crm.example.com/bridge") for url in urls)
    assert "localhost" not in answer.text
    assert document.findtext(".//m11:WebApplicationInfo/m11:Id", namespaces=NS) == CLIENT_ID
    assert document.findtext(".//m11:WebApplicationInfo/m11:Resource", namespaces=NS) == (
        f"api://crm.example.com/{CLIENT_ID}"
    )
    assert document.xpath("//bt:Url[@id='Taskpane.Url']/@DefaultValue", namespaces=NS) == [
        "https://crm.example.com/bridge/taskpane"
    ]


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_icons_exist_at_the_sizes_office_requires() -> None:
    document = _parse(MANIFEST.read_bytes())

    def local(url: str) -> Path:
        return STATIC / url.split("/static/", 1)[1]

    icon = document.xpath("/o:OfficeApp/o:IconUrl/@DefaultValue", namespaces=NS)[0]
    high = document.xpath("/o:OfficeApp/o:HighResolutionIconUrl/@DefaultValue", namespaces=NS)[0]
    assert _png_size(local(icon)) == (64, 64)  # a mail add-in's icon
    assert _png_size(local(high)) == (128, 128)
    images = {
        image.get("id"): image.get("DefaultValue")
        for image in document.xpath("//bt:Image[@DefaultValue]", namespaces=NS)
    }
    sizes = set()
    for use in document.xpath("//m11:Icon/bt:Image", namespaces=NS):
        size = int(use.get("size"))
        assert _png_size(local(images[use.get("resid")])) == (size, size)
        sizes.add(size)
    assert sizes >= {16, 32, 80}  # the button sizes Office requires


def test_the_task_pane_loads_office_js_from_microsoft(client: TestClient) -> None:
    page = client.get("/taskpane")
    assert page.status_code == 200
    assert f'<script src="{OFFICE_JS_URL}"></script>' in page.text
    assert "office-standin" not in page.text
    assert OFFICE_JS_URL == "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"
    for asset in ("/static/addin/taskpane.js", "/static/addin/taskpane.css"):
        assert asset in page.text
        assert client.get(asset).status_code == 200


def test_the_demo_exists_only_in_sandbox_mode(settings: Settings, engine: Engine) -> None:
    production = settings.model_copy(
        update={"sandbox": False, "microsoft_client_id": CLIENT_ID, "secret_key": SecretStr("x" * 40)}
    )
    with TestClient(create_app(production, engine)) as client:
        for path in ("/addin/demo", "/addin/demo/taskpane?user=a&message=b", "/addin/demo/signed-in"):
            assert client.get(path).status_code == 404
        assert client.post("/addin/demo/token", json={}).status_code in (404, 405)
        assert "office-standin" not in client.get("/taskpane").text


def test_the_copied_schemas_match_the_shared_ones() -> None:
    """The copy kept with the tests is the same as ../shared's, wherever both exist."""
    copied = {path.name: path.read_bytes() for path in COPIED_SCHEMAS.glob("*.xsd")}
    assert "OfficeAppManifestV1_1.xsd" in copied
    if SHARED_SCHEMAS.is_dir():
        shared = {path.name: path.read_bytes() for path in SHARED_SCHEMAS.glob("*.xsd")}
        assert copied == shared, "tests/addin/office-addin-schemas differs from ../shared/schemas/office-addin"
