/*
 * crmbridge task pane for Outlook.
 *
 * Reads the open message through Office.js, signs in to crmbridge's API with Office single sign-on
 * (Office.auth.getAccessToken), shows who the email's people are in Salesforce, and logs the email when the rep
 * asks. Plain JavaScript, no build step; every text goes into the page through textContent.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("pane-config").textContent || "{}");
  var BODY_LIMIT = 200000; // characters sent per body; Salesforce keeps at most 131,072
  var state = { item: null, me: null, lookup: null, token: null, compose: false, personFor: null };

  function $(id) { return document.getElementById(id); }

  function el(tag, attributes) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; } else if (name === "className") { node.className = value; }
      else { node.setAttribute(name, value === true ? "" : String(value)); }
    });
    for (var i = 2; i < arguments.length; i += 1) {
      var child = arguments[i];
      if (child === null || child === undefined) { continue; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function show(id, visible) { $(id).hidden = !visible; }

  function busy(message) {
    $("pane").setAttribute("aria-busy", "true");
    $("status").textContent = message;
  }

  function idle(message) {
    $("pane").setAttribute("aria-busy", "false");
    $("status").textContent = message || "";
  }

  function clearError() { $("error").hidden = true; $("error").textContent = ""; }

  function showError(message, reference) {
    var box = $("error");
    box.textContent = "";
    box.appendChild(el("strong", { text: message }));
    if (reference) { box.appendChild(el("p", { className: "muted", text: "Reference: " + reference })); }
    box.hidden = false;
    idle("");
  }

  function recordLink(record, text) {
    return el("a", { href: record.url, target: "_blank", rel: "noopener", text: text || record.name || record.id });
  }

  // ---- Office.js ---------------------------------------------------------------------------------------------

  function officeAsync(start) {
    return new Promise(function (resolve, reject) {
      start(function (result) {
        if (result.status === Office.AsyncResultStatus.Succeeded) { resolve(result.value); }
        else { reject(new Error((result.error && result.error.message) || "Outlook could not read the message.")); }
      });
    });
  }

  function mailbox(details) {
    return details && details.emailAddress ? { address: details.emailAddress, name: details.displayName || null } : null;
  }

  function fileAttachments(item) {
    return (item.attachments || []).filter(function (attachment) {
      return String(attachment.attachmentType).toLowerCase() === "file";
    }).map(function (attachment) {
      return {
        id: attachment.id,
        name: attachment.name,
        size: attachment.size || 0,
        content_type: attachment.contentType || null,
        is_inline: Boolean(attachment.isInline),
      };
    });
  }

  function readItem() {
    var item = Office.context.mailbox.item;
    if (!item) { return Promise.reject(new Error("Open a message to see its people in Salesforce.")); }
    if (typeof item.subject !== "string") {
      state.compose = true;
      return Promise.all([
        officeAsync(function (done) { item.to.getAsync(done); }),
        officeAsync(function (done) { item.cc.getAsync(done); }),
      ]).then(function (lists) {
        return { internet_message_id: null, from: null, to: lists[0].map(mailbox), cc: lists[1].map(mailbox), attachments: [] };
      });
    }
    return Promise.resolve({
      internet_message_id: item.internetMessageId,
      subject: item.subject || "",
      from: mailbox(item.from),
      to: (item.to || []).map(mailbox).filter(Boolean),
      cc: (item.cc || []).map(mailbox).filter(Boolean),
      date: (item.dateTimeCreated instanceof Date ? item.dateTimeCreated : new Date(item.dateTimeCreated)).toISOString(),
      attachments: fileAttachments(item),
    });
  }

  function readBodies() {
    var body = Office.context.mailbox.item.body;
    return Promise.all([
      officeAsync(function (done) { body.getAsync(Office.CoercionType.Text, done); }),
      officeAsync(function (done) { body.getAsync(Office.CoercionType.Html, done); }).catch(function () { return null; }),
    ]).then(function (bodies) {
      return { text: String(bodies[0] || "").slice(0, BODY_LIMIT), html: bodies[1] ? String(bodies[1]).slice(0, BODY_LIMIT) : null };
    });
  }

  function attachmentContent(id) {
    return officeAsync(function (done) {
      Office.context.mailbox.item.getAttachmentContentAsync(id, done);
    }).then(function (content) {
      if (String(content.format).toLowerCase() !== "base64") { throw new Error("Outlook did not give the file's content."); }
      return content.content;
    });
  }

  // ---- crmbridge's API ---------------------------------------------------------------------------------------

  function ApiError(message, reference, code) { this.message = message; this.reference = reference; this.code = code; }

  function token(fresh) {
    if (state.token && !fresh) { return Promise.resolve(state.token); }
    return Office.auth.getAccessToken({ allowSignInPrompt: true, allowConsentPrompt: true, forMSGraphAccess: false })
      .then(function (value) { state.token = value; return value; })
      .catch(function (error) {
        var code = error && error.code ? " (Office error " + error.code + ")" : "";
        throw new ApiError("Office could not sign you in to crmbridge" + code + ": " + ((error && error.message) || "unknown reason") + ".");
      });
  }

  function api(method, path, body, retried) {
    return token(false).then(function (value) {
      return fetch(path, {
        method: method,
        headers: { Authorization: "Bearer " + value, Accept: "application/json", "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    }).then(function (response) {
      if (response.status === 401 && !retried) {
        state.token = null;
        return token(true).then(function () { return api(method, path, body, true); });
      }
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) {
          var error = (data && data.error) || {};
          throw new ApiError(error.message || "crmbridge answered with an error (" + response.status + ").", error.request_id, error.code);
        }
        return data;
      });
    }, function (error) {
      if (error instanceof ApiError) { throw error; }
      throw new ApiError("crmbridge could not be reached. Check your connection and try again.");
    });
  }

  function fail(error) {
    if (error && error.code === "connection_unavailable") {
      show("connect", true);
    }
    showError((error && error.message) || "Something went wrong.", error && error.reference);
  }

  // ---- rendering ---------------------------------------------------------------------------------------------

  var ROLE_LABELS = { from: "From", to: "To", cc: "Cc" };

  function matchDetails(match) {
    var parts = [];
    if (match.title) { parts.push(match.title); }
    if (match.account) { parts.push(match.account.name); } else if (match.company) { parts.push(match.company); }
    return parts.join(" · ");
  }

  function describeMatch(match) {
    return [match.object].concat(matchDetails(match) ? [matchDetails(match)] : []).join(" · ");
  }

  function renderLogged(logged) {
    var text = $("logged-text");
    text.textContent = "";
    if (!logged) { show("logged", false); return; }
    if (logged.record) {
      text.appendChild(document.createTextNode(logged.by_you ? "You logged this email: " : "A colleague logged this email: "));
      text.appendChild(recordLink(logged.record, "open it in Salesforce"));
      text.appendChild(document.createTextNode(". Logging again adds the people you choose."));
    } else {
      text.textContent = "A colleague logged this email to a record you do not have access to in Salesforce.";
    }
    show("logged", true);
  }

  function renderPeople(lookup) {
    var list = $("people");
    list.textContent = "";
    lookup.people.forEach(function (person) {
      var item = el("li", null,
        el("span", { className: "person-address", text: person.name ? person.name + " <" + person.address + ">" : person.address }),
        el("span", { className: "person-roles", text: person.roles.map(function (role) { return ROLE_LABELS[role] || role; }).join(", ") }));
      if (person.matches.length === 0) {
        item.appendChild(el("span", { className: "match unknown", text: "Not in Salesforce" }));
        var actions = el("span", { className: "match" });
        actions.appendChild(el("button", { type: "button", className: "link", "data-address": person.address, "data-kind": "contact", text: "Create contact" }));
        actions.appendChild(document.createTextNode(" · "));
        actions.appendChild(el("button", { type: "button", className: "link", "data-address": person.address, "data-kind": "lead", text: "Create lead" }));
        item.appendChild(actions);
      }
      person.matches.forEach(function (match) {
        var line = el("span", { className: "match" }, el("span", { className: "badge", text: match.object }));
        line.appendChild(recordLink(match, match.name));
        if (matchDetails(match)) { line.appendChild(el("span", { className: "muted", text: " " + matchDetails(match) })); }
        item.appendChild(line);
      });
      list.appendChild(item);
    });
    show("people-section", lookup.people.length > 0);
    if (lookup.truncated) { list.appendChild(el("li", { className: "muted", text: "Only the first 100 addresses were looked up." })); }
  }

  function renderAccounts(lookup) {
    var list = $("accounts");
    list.textContent = "";
    lookup.accounts.forEach(function (account) {
      var item = el("li", null, recordLink(account, account.name));
      if (account.opportunities.length) {
        var opportunities = el("ul", { className: "sublist", "aria-label": "Open opportunities of " + account.name });
        account.opportunities.forEach(function (opportunity) {
          opportunities.appendChild(el("li", null, "Opportunity: ", recordLink(opportunity, opportunity.name), opportunity.stage ? " (" + opportunity.stage + ")" : ""));
        });
        item.appendChild(opportunities);
      }
      if (account.cases.length) {
        var cases = el("ul", { className: "sublist", "aria-label": "Open cases of " + account.name });
        account.cases.forEach(function (item_) {
          cases.appendChild(el("li", null, "Case " + (item_.number || "") + ": ", recordLink(item_, item_.name), item_.status ? " (" + item_.status + ")" : ""));
        });
        item.appendChild(cases);
      }
      list.appendChild(item);
    });
    show("accounts-section", lookup.accounts.length > 0);
  }

  function option(value, text, selected) {
    var node = el("option", { value: value, text: text });
    node.selected = Boolean(selected);
    return node;
  }

  function renderLogForm(lookup) {
    var people = $("relate-people");
    var previous = {};
    Array.prototype.forEach.call(people.querySelectorAll("input"), function (box) { previous[box.value] = box.checked; });
    people.textContent = "";
    var count = 0;
    lookup.people.forEach(function (person) {
      person.matches.forEach(function (match) {
        var id = "relate-" + match.id;
        var box = el("input", { type: "checkbox", id: id, name: "relate", value: match.id });
        box.checked = previous[match.id] === undefined ? true : previous[match.id];
        people.appendChild(el("div", { className: "check" }, box, el("label", { for: id, text: match.name + " (" + describeMatch(match) + ")" })));
        count += 1;
      });
    });
    show("no-people", count === 0);

    var select = $("related-to");
    var chosen = select.value || (lookup.logged && lookup.logged.related_to_id) || (lookup.accounts.length === 1 ? lookup.accounts[0].id : "");
    select.textContent = "";
    select.appendChild(option("", "Nothing", chosen === ""));
    var groups = { Accounts: [], Opportunities: [], Cases: [] };
    lookup.accounts.forEach(function (account) {
      groups.Accounts.push([account.id, account.name]);
      account.opportunities.forEach(function (opportunity) { groups.Opportunities.push([opportunity.id, opportunity.name + " (" + account.name + ")"]); });
      account.cases.forEach(function (item) { groups.Cases.push([item.id, "Case " + (item.number || "") + ": " + (item.name || "")]); });
    });
    (state.searchResults || []).forEach(function (entry) { groups[entry.group].push([entry.id, entry.label]); });
    Object.keys(groups).forEach(function (label) {
      var seen = {};
      var entries = groups[label].filter(function (entry) { if (seen[entry[0]]) { return false; } seen[entry[0]] = true; return true; });
      if (!entries.length) { return; }
      var group = el("optgroup", { label: label });
      entries.forEach(function (entry) { group.appendChild(option(entry[0], entry[1], entry[0] === chosen)); });
      select.appendChild(group);
    });

    var attachments = state.item.attachments || [];
    show("attachments-choice", attachments.length > 0 && !state.compose);
    var limit = config.max_attachment_bytes || 0;
    $("include-attachments-label").textContent = "Include attachments (" + attachments.length + (attachments.length === 1 ? " file" : " files") +
      "; files over " + (limit / 1048576).toFixed(0) + " MB are skipped)";

    show("compose-note", state.compose);
    $("log-button").disabled = state.compose;
    $("log-button").textContent = lookup.logged && lookup.logged.record ? "Log again (add people)" : "Log to Salesforce";
    show("log-form", true);
  }

  function render(lookup) {
    state.lookup = lookup;
    renderLogged(lookup.logged);
    renderPeople(lookup);
    renderAccounts(lookup);
    renderLogForm(lookup);
  }

  // ---- actions -----------------------------------------------------------------------------------------------

  function lookup() {
    busy("Looking up the email's people in Salesforce…");
    var item = state.item;
    var headers = { internet_message_id: item.internet_message_id, from: item.from, to: item.to, cc: item.cc };
    return api("POST", "/api/emails/lookup", headers).then(function (result) {
      render(result);
      idle(result.people.length ? "" : "Nobody else is on this email.");
    });
  }

  function chosenIds() {
    return Array.prototype.filter.call($("relate-people").querySelectorAll("input"), function (box) { return box.checked; })
      .map(function (box) { return box.value; });
  }

  function uploadAttachments(outcomes) {
    var pending = outcomes.filter(function (outcome) { return outcome.status === "upload"; });
    var files = state.item.attachments;
    return pending.reduce(function (chain, outcome, index) {
      return chain.then(function () {
        busy("Attaching " + outcome.name + " (" + (index + 1) + " of " + pending.length + ")…");
        var file = files.filter(function (candidate) { return candidate.name === outcome.name; })[0];
        return attachmentContent(file.id).then(function (content) {
          return api("POST", "/api/emails/attachments", {
            internet_message_id: state.item.internet_message_id, name: outcome.name, content_type: file.content_type, content_base64: content,
          });
        }).then(function (result) {
          outcome.status = result.status; outcome.note = result.note;
        }, function (error) {
          outcome.status = "failed"; outcome.note = error.message + " Log again to retry.";
        });
      });
    }, Promise.resolve()).then(function () { return outcomes; });
  }

  var OUTCOME_TITLES = { created: "Logged to Salesforce", added_to_existing: "Added to the logged email", already_logged: "Already logged" };
  var ATTACHMENT_WORDS = { attached: "attached", already_attached: "already attached", skipped: "not attached", failed: "failed", upload: "waiting" };

  function renderResult(result, attachments) {
    $("result-heading").textContent = OUTCOME_TITLES[result.outcome] || "Logged";
    var text = $("result-text");
    text.textContent = "";
    text.appendChild(recordLink(result.record, "Open the " + (result.record.object === "Task" ? "task" : "email") + " in Salesforce"));
    if (result.relations_added) { text.appendChild(document.createTextNode(" · " + result.relations_added + " " + (result.relations_added === 1 ? "person" : "people") + " related")); }
    var list = $("result-attachments");
    list.textContent = "";
    attachments.forEach(function (outcome) {
      var line = el("li", { className: "attachment-" + outcome.status, text: outcome.name + ": " + (ATTACHMENT_WORDS[outcome.status] || outcome.status) });
      if (outcome.note) { line.appendChild(el("span", { className: "muted", text: " — " + outcome.note })); }
      list.appendChild(line);
    });
    var notes = $("result-notes");
    notes.textContent = "";
    result.notes.forEach(function (note) { notes.appendChild(el("li", { text: note })); });
    show("result", true);
  }

  function logEmail(event) {
    event.preventDefault();
    if (state.compose) { return; }
    clearError();
    var button = $("log-button");
    button.disabled = true;
    busy("Logging to Salesforce…");
    var item = state.item;
    var includeAttachments = $("include-attachments").checked && item.attachments.length > 0;
    readBodies().then(function (bodies) {
      return api("POST", "/api/emails/log", {
        email: {
          internet_message_id: item.internet_message_id, subject: item.subject, from: item.from, to: item.to, cc: item.cc,
          date: item.date, text_body: bodies.text, html_body: bodies.html,
          attachments: item.attachments.map(function (file) { return { name: file.name, size: file.size, content_type: file.content_type, is_inline: file.is_inline }; }),
        },
        relate_ids: chosenIds(),
        related_to_id: $("related-to").value || null,
        include_attachments: includeAttachments,
      });
    }).then(function (result) {
      return uploadAttachments(result.attachments).then(function (attachments) {
        renderResult(result, attachments);
        return lookup();
      });
    }).then(function () {
      idle("Done.");
      $("result").focus();
    }).catch(fail).then(function () { button.disabled = state.compose; });
  }

  function searchRecords() {
    var text = $("record-search").value.trim();
    var status = $("record-search-result");
    if (text.length < 2) { status.textContent = "Type at least 2 characters."; return; }
    status.textContent = "Searching…";
    api("GET", "/api/records/search?q=" + encodeURIComponent(text)).then(function (found) {
      var results = [];
      found.accounts.forEach(function (record) { results.push({ group: "Accounts", id: record.id, label: record.name }); });
      found.opportunities.forEach(function (record) { results.push({ group: "Opportunities", id: record.id, label: record.name }); });
      found.cases.forEach(function (record) { results.push({ group: "Cases", id: record.id, label: "Case " + (record.number || "") + ": " + (record.name || "") }); });
      state.searchResults = (state.searchResults || []).concat(results);
      var select = $("related-to");
      renderLogForm(state.lookup);
      if (results.length) { select.value = results[0].id; }
      status.textContent = results.length ? results.length + " found; the first one is chosen under Related to." : "Nothing found.";
    }).catch(function (error) { status.textContent = error.message; });
  }

  // ---- adding people -----------------------------------------------------------------------------------------

  var FREE_MAIL = ["gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net", "web.de"];

  function guessCompany(address) {
    var domain = address.split("@")[1] || "";
    if (FREE_MAIL.indexOf(domain) >= 0) { return ""; }
    var label = domain.split(".")[0] || "";
    return label ? label.charAt(0).toUpperCase() + label.slice(1) : "";
  }

  function openPersonForm(button) {
    var address = button.getAttribute("data-address");
    var person = state.lookup.people.filter(function (entry) { return entry.address === address; })[0] || { address: address };
    state.personFor = { address: address, opener: button };
    var words = (person.name || "").trim().split(/\s+/).filter(Boolean);
    $("person-first").value = words.length > 1 ? words.slice(0, -1).join(" ") : "";
    $("person-last").value = words.length ? words[words.length - 1] : address.split("@")[0];
    $("person-company").value = guessCompany(address);
    $("person-address").textContent = address;
    $(button.getAttribute("data-kind") === "lead" ? "person-kind-lead" : "person-kind-contact").checked = true;
    show("person-form", true);
    previewAccount();
    $("person-first").focus();
  }

  var previewTimer = null;
  function previewAccount() {
    clearTimeout(previewTimer);
    var target = $("person-account");
    if ($("person-kind-lead").checked) { target.textContent = "A lead keeps the company name; it has no account."; return; }
    var company = $("person-company").value.trim();
    if (!company) { target.textContent = "No company: the contact will have no account."; return; }
    previewTimer = setTimeout(function () {
      target.textContent = "Finding the account…";
      api("GET", "/api/accounts/match?company=" + encodeURIComponent(company)).then(function (choice) {
        if ($("person-company").value.trim() !== company) { return; }
        target.textContent = choice.account
          ? "Account: " + choice.account.name + (choice.rule === "exact" ? " (same name)" : " (only account whose name contains it)")
          : "No single account matches: the contact will have no account.";
      }).catch(function (error) { target.textContent = error.message; });
    }, 350);
  }

  function closePersonForm() {
    show("person-form", false);
    var opener = state.personFor && state.personFor.opener;
    state.personFor = null;
    if (opener && document.body.contains(opener)) { opener.focus(); }
  }

  function createPerson(event) {
    event.preventDefault();
    clearError();
    var last = $("person-last").value.trim();
    if (!last) { showError("Type a last name."); $("person-last").focus(); return; }
    var kind = $("person-kind-lead").checked ? "lead" : "contact";
    var button = $("person-create");
    button.disabled = true;
    busy("Creating the " + kind + " in Salesforce…");
    api("POST", "/api/people", {
      kind: kind, email: state.personFor.address, first_name: $("person-first").value.trim() || null,
      last_name: last, company: $("person-company").value.trim() || null,
    }).then(function (created) {
      show("person-form", false);
      state.personFor = null;
      return lookup().then(function () {
        var account = created.person.account ? " at " + created.person.account.name : "";
        idle("Created " + kind + " " + created.person.name + account + ".");
      });
    }).catch(fail).then(function () { button.disabled = false; });
  }

  // ---- start -------------------------------------------------------------------------------------------------

  function reset() {
    state.item = null; state.lookup = null; state.compose = false; state.searchResults = []; state.personFor = null;
    ["logged", "people-section", "accounts-section", "log-form", "result", "person-form", "connect"].forEach(function (id) { show(id, false); });
    $("relate-people").textContent = "";
    $("related-to").value = "";
    $("include-attachments").checked = false;
    clearError();
  }

  function load() {
    busy("Reading the email…");
    return readItem().then(function (item) {
      state.item = item;
      if (state.me) { return state.me; }
      busy("Signing in…");
      return api("GET", "/api/me");
    }).then(function (me) {
      state.me = me;
      $("signed-in").textContent = me.email;
      $("signed-in").title = "Signed in as " + me.name + " <" + me.email + ">";
      if (me.max_attachment_bytes !== undefined) { config.max_attachment_bytes = me.max_attachment_bytes; }
      if (!me.salesforce_connected) {
        $("connect-link").href = me.connect_url;
        show("connect", true);
        idle("");
        return null;
      }
      return lookup();
    }).catch(fail);
  }

  function start() {
    $("log-form").addEventListener("submit", logEmail);
    $("record-search-button").addEventListener("click", searchRecords);
    $("record-search").addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); searchRecords(); } });
    $("people").addEventListener("click", function (event) {
      var target = event.target;
      if (target && target.getAttribute && target.getAttribute("data-address")) { openPersonForm(target); }
    });
    $("person-form").addEventListener("submit", createPerson);
    $("person-cancel").addEventListener("click", closePersonForm);
    $("person-form").addEventListener("keydown", function (event) { if (event.key === "Escape") { closePersonForm(); } });
    $("person-company").addEventListener("input", previewAccount);
    $("person-kind-contact").addEventListener("change", previewAccount);
    $("person-kind-lead").addEventListener("change", previewAccount);

    // A pinned task pane stays open while the rep moves from message to message: follow the selection.
    var mailbox = Office.context.mailbox;
    if (mailbox.addHandlerAsync && Office.EventType && Office.EventType.ItemChanged) {
      mailbox.addHandlerAsync(Office.EventType.ItemChanged, function () { reset(); load(); });
    }
    // The Sync view (taskpane_sync.js) reuses the signed-in API helper.
    window.crmbridgePane = { api: api, el: el };
    document.dispatchEvent(new CustomEvent("crmbridge:pane-ready"));
    load();
  }

  if (typeof Office === "undefined") {
    document.addEventListener("DOMContentLoaded", function () {
      showError("Office.js could not be loaded, so this page cannot read your email. Open it from Outlook.");
    });
    return;
  }
  Office.onReady(function (info) {
    if (!info || info.host !== Office.HostType.Outlook) {
      showError("This is crmbridge's Outlook task pane: open it from a message in Outlook.");
      return;
    }
    start();
  });
}());
