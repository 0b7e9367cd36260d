/*
 * crmbridge task pane: the Sync view.
 *
 * Outlook on the web shows the task pane in a cross-site frame, where crmbridge's /settings page cannot sign in.
 * This view shows the last sync pass (GET /api/dashboard) and the main sync settings (GET/PATCH /api/settings)
 * with the pane's bearer token, through the API helper taskpane.js hands over (window.crmbridgePane).
 * Plain JavaScript, no build step; every text goes into the page through textContent.
 */
(function () {
  "use strict";

  // The settings shown here, in order; the rest are on the full settings page.
  var FIELDS = [
    { key: "sync.selection", title: "Sync method", control: "radios" },
    { key: "contacts.enabled", title: "Sync contacts", control: "checkbox" },
    { key: "contacts.direction", title: "Contacts direction", control: "select" },
    { key: "contacts.forbid_to_remove", title: "Forbid to remove contacts", control: "checkbox" },
    { key: "sync.include_private", title: "Include private items", control: "checkbox" },
    { key: "sync.conflict_policy", title: "Conflict policy", control: "select" },
  ];
  var SELECTION_NAMES = { automatic: "Automatic", manual: "Manual" };
  var LOCKED_TEXT = "Set by your administrator";
  var SAVED_TEXT = "Saved; the next pass uses these settings.";

  var pane = null; // { api, el } from taskpane.js
  var view = { settings: {}, loading: 0, saving: false };

  function $(id) { return document.getElementById(id); }

  function fieldId(key) { return "sync-" + key.replace(/[^a-z0-9]+/gi, "-"); }

  // ---- the last pass -----------------------------------------------------------------------------------------

  function parseTime(text) {
    if (!text) { return null; }
    var value = /(Z|[+-]\d\d:?\d\d)$/.test(text) ? text : text + "Z";
    var date = new Date(value);
    return isNaN(date.getTime()) ? null : date;
  }

  function plural(count, one, many) { return count + " " + (count === 1 ? one : many); }

  function ago(date, now) {
    var minutes = Math.round((now.getTime() - date.getTime()) / 60000);
    if (minutes < 1) { return "just now"; }
    if (minutes < 60) { return plural(minutes, "minute", "minutes") + " ago"; }
    var hours = Math.round(minutes / 60);
    if (hours < 24) { return plural(hours, "hour", "hours") + " ago"; }
    return "on " + date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function lastPassWords(dashboard) {
    var last = dashboard.last_pass;
    if (!last) { return "No sync pass has run yet."; }
    var when = parseTime(last.finished_at) || parseTime(last.started_at);
    var now = parseTime(dashboard.generated_at) || new Date();
    var items = last.items_text ? " (" + last.items_text.toLowerCase() + ")" : "";
    var words = "Last pass" + items + ": " + last.status_text + (when ? ", " + ago(when, now) : "") + " (" + last.trigger_text + ")";
    return words + ": " + plural(last.changes, "change", "changes") + ", " + plural(last.errors, "error", "errors") + ".";
  }

  function renderLastPass(dashboard) {
    var el = pane.el;
    var box = $("sync-last");
    box.textContent = "";
    var line = el("p", { id: "sync-last-pass", text: lastPassWords(dashboard) });
    box.appendChild(line);
    if (dashboard.reset_since && dashboard.reset_since.message) {
      box.appendChild(el("p", { className: "muted", text: dashboard.reset_since.message }));
    }
    var problems = (dashboard.problems || []).slice();
    if (!problems.length && dashboard.last_pass && dashboard.last_pass.message) { problems.push(dashboard.last_pass.message); }
    if (problems.length) {
      var list = el("ul", { className: "sync-problems", "aria-label": "What went wrong" });
      problems.forEach(function (problem) { list.appendChild(el("li", { text: problem })); });
      box.appendChild(list);
    }
    if (dashboard.next_pass && dashboard.next_pass.how) {
      box.appendChild(el("p", { className: "muted", text: "Next pass: " + dashboard.next_pass.how }));
    }
  }

  // ---- the settings form -------------------------------------------------------------------------------------

  function allowedValues(setting) {
    if (setting.locked) { return [setting.value]; } // the one value that applies
    if (setting.allowed) { return setting.allowed; }
    if (setting.type === "boolean") { return [true, false]; }
    return setting.choices.map(function (choice) { return choice.value; });
  }

  function choiceLabel(setting, value) {
    var label = String(value);
    setting.choices.forEach(function (choice) { if (choice.value === value) { label = choice.label; } });
    if (setting.key === "sync.selection" && SELECTION_NAMES[value]) { label = SELECTION_NAMES[value] + ": " + label; }
    return label;
  }

  // The description, the administrator's lock and any note, under a control; returns their ids.
  function hints(container, setting, base) {
    var el = pane.el;
    var ids = [base + "-hint"];
    container.appendChild(el("p", { id: base + "-hint", className: "sync-hint", text: setting.description }));
    if (setting.locked) {
      ids.push(base + "-locked");
      container.appendChild(el("p", { id: base + "-locked", className: "sync-locked", text: LOCKED_TEXT }));
    }
    if (setting.note) {
      ids.push(base + "-note");
      container.appendChild(el("p", { id: base + "-note", className: "sync-hint", text: setting.note }));
    }
    return ids.join(" ");
  }

  function renderField(field, setting) {
    var el = pane.el;
    var base = fieldId(field.key);
    var allowed = allowedValues(setting);
    var wrapper;
    if (field.control === "radios") {
      wrapper = el("fieldset", { className: "sync-field", "data-key": field.key }, el("legend", { text: field.title }));
      var options = setting.choices.map(function (choice) { return choice.value; }).filter(function (value) {
        return allowed.indexOf(value) >= 0 || value === setting.value;
      });
      var radios = [];
      options.forEach(function (value) {
        var id = base + "-" + value;
        var radio = el("input", { type: "radio", id: id, name: field.key, value: value, disabled: setting.locked });
        radio.checked = value === setting.value;
        radios.push(radio);
        wrapper.appendChild(el("div", { className: "check" }, radio, el("label", { for: id, text: choiceLabel(setting, value) })));
      });
      var described = hints(wrapper, setting, base);
      wrapper.setAttribute("aria-describedby", described);
      return wrapper;
    }
    wrapper = el("div", { className: "sync-field", "data-key": field.key });
    if (field.control === "checkbox") {
      var box = el("input", { type: "checkbox", id: base, name: field.key });
      box.checked = setting.value === true;
      // Only one value allowed (or enforced): the box cannot change.
      box.disabled = setting.locked || allowed.indexOf(!box.checked) < 0;
      wrapper.appendChild(el("div", { className: "check" }, box, el("label", { for: base, text: field.title })));
      box.setAttribute("aria-describedby", hints(wrapper, setting, base));
      return wrapper;
    }
    var select = el("select", { id: base, name: field.key, disabled: setting.locked });
    setting.choices.forEach(function (choice) {
      if (allowed.indexOf(choice.value) < 0 && choice.value !== setting.value) { return; }
      var option = el("option", { value: choice.value, text: choiceLabel(setting, choice.value) });
      option.selected = choice.value === setting.value;
      select.appendChild(option);
    });
    wrapper.appendChild(el("label", { for: base, text: field.title }));
    wrapper.appendChild(select);
    select.setAttribute("aria-describedby", hints(wrapper, setting, base));
    return wrapper;
  }

  function renderSettings(data) {
    var fields = $("sync-fields");
    fields.textContent = "";
    view.settings = {};
    (data.settings || []).forEach(function (setting) { view.settings[setting.key] = setting; });
    FIELDS.forEach(function (field) {
      var setting = view.settings[field.key];
      if (setting) { fields.appendChild(renderField(field, setting)); }
    });
    $("sync-form").hidden = false;
  }

  function currentValue(field) {
    var base = fieldId(field.key);
    if (field.control === "checkbox") { return $(base).checked; }
    if (field.control === "select") { return $(base).value; }
    var checked = $("sync-fields").querySelector("input[name='" + field.key + "']:checked");
    return checked ? checked.value : null;
  }

  function changes() {
    var changed = {};
    var count = 0;
    FIELDS.forEach(function (field) {
      var setting = view.settings[field.key];
      if (!setting || setting.locked) { return; }
      var value = currentValue(field);
      if (value !== null && value !== setting.value) { changed[field.key] = value; count += 1; }
    });
    return count ? changed : null;
  }

  // ---- messages ----------------------------------------------------------------------------------------------

  function say(text) { $("sync-message").textContent = text || ""; }

  function clearError() { $("sync-error").hidden = true; $("sync-error").textContent = ""; }

  function showError(error) {
    var box = $("sync-error");
    box.textContent = "";
    box.appendChild(pane.el("strong", { text: (error && error.message) || "Something went wrong." }));
    if (error && error.reference) { box.appendChild(pane.el("p", { className: "muted", text: "Reference: " + error.reference })); }
    box.hidden = false;
  }

  function busy(on) {
    view.loading += on ? 1 : -1;
    $("sync-view").setAttribute("aria-busy", view.loading > 0 ? "true" : "false");
  }

  // ---- loading and saving ------------------------------------------------------------------------------------

  function load() {
    clearError();
    say("Loading your sync…");
    $("sync-form").hidden = true;
    $("sync-last").textContent = "";
    busy(true);
    var dashboard = pane.api("GET", "/api/dashboard").then(renderLastPass, function (error) {
      $("sync-last").appendChild(pane.el("p", { id: "sync-last-pass", text: "The last pass could not be read: " + error.message }));
    });
    var settings = pane.api("GET", "/api/settings").then(renderSettings);
    return Promise.all([dashboard, settings]).then(function () { say(""); }, function (error) {
      say("");
      showError(error);
    }).then(function () { busy(false); });
  }

  function save(event) {
    event.preventDefault();
    clearError();
    if (view.saving) { return; }
    var changed = changes();
    if (!changed) { say("Nothing changed."); return; }
    // Not disabled while saving: a disabled button would drop the keyboard focus.
    var button = $("sync-save");
    view.saving = true;
    button.setAttribute("aria-disabled", "true");
    say("Saving…");
    busy(true);
    pane.api("PATCH", "/api/settings", changed).then(function (data) {
      renderSettings(data);
      say(SAVED_TEXT);
    }, function (error) {
      say("");
      showError(error);
    }).then(function () { view.saving = false; button.removeAttribute("aria-disabled"); busy(false); });
  }

  // ---- opening and closing -----------------------------------------------------------------------------------

  function open() {
    $("pane").hidden = true;
    $("sync-view").hidden = false;
    $("sync-toggle").setAttribute("aria-expanded", "true");
    $("sync-heading").focus();
    load();
  }

  function close() {
    $("sync-view").hidden = true;
    $("pane").hidden = false;
    $("sync-toggle").setAttribute("aria-expanded", "false");
    $("sync-toggle").focus();
  }

  function build() {
    var el = pane.el;
    var section = $("sync-view");
    section.appendChild(el("h2", { id: "sync-heading", tabindex: "-1", text: "Sync" }));
    section.appendChild(el("button", { id: "sync-back", type: "button", className: "link", text: "Back to the email" }));
    section.appendChild(el("p", { id: "sync-message", className: "status", role: "status", "aria-live": "polite" }));
    section.appendChild(el("div", { id: "sync-error", className: "pane-error", role: "alert", hidden: true }));
    section.appendChild(el("section", { className: "card", "aria-labelledby": "sync-last-heading" },
      el("h3", { id: "sync-last-heading", text: "Last pass" }),
      el("div", { id: "sync-last" })));
    section.appendChild(el("form", { id: "sync-form", className: "card", novalidate: true, hidden: true, "aria-labelledby": "sync-settings-heading" },
      el("h3", { id: "sync-settings-heading", text: "Your sync settings" }),
      el("div", { id: "sync-fields" }),
      el("button", { id: "sync-save", type: "submit", className: "primary", text: "Save" })));
    section.appendChild(el("p", null,
      el("a", { id: "sync-all-settings", href: "/settings", target: "_blank", rel: "noopener", text: "All settings" }),
      el("span", { className: "muted", text: " (opens crmbridge in a new window)" })));

    $("sync-form").addEventListener("submit", save);
    $("sync-back").addEventListener("click", close);
    section.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    var toggle = $("sync-toggle");
    toggle.addEventListener("click", function () { if (section.hidden) { open(); } else { close(); } });
    toggle.hidden = false;
  }

  function ready() {
    if (pane || !window.crmbridgePane || !$("sync-view") || !$("sync-toggle")) { return; }
    pane = window.crmbridgePane;
    build();
  }

  document.addEventListener("crmbridge:pane-ready", ready);
  ready();
}());
