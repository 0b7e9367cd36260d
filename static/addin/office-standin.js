/*
 * SANDBOX ONLY: a stand-in for Office.js, so that the task pane runs in an ordinary browser on a demo message.
 *
 * crmbridge serves this file's page (/addin/demo/taskpane) only in sandbox mode. It implements the small part of
 * Office.js the task pane uses: Office.onReady, the read-mode message (Office.context.mailbox.item: internet
 * message id, subject, from, to, cc, date, body, attachments and their content) and Office.auth.getAccessToken.
 * The message comes from the demo user's sandbox mailbox; the access token comes from the sandbox's Microsoft
 * identity provider through the authorization code flow with PKCE, as Office's single sign-on would get it, and
 * crmbridge's API validates it exactly like a real one.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("standin-config").textContent);
  var TOKEN_KEY = "crmbridge.standin.token." + config.user;
  var PENDING_KEY = "crmbridge.standin.pending";

  function result(value) { return { status: "succeeded", value: value, error: null, asyncContext: undefined }; }

  function callbackOf(args) {
    for (var i = args.length - 1; i >= 0; i -= 1) { if (typeof args[i] === "function") { return args[i]; } }
    return function () {};
  }

  function later(callback, value) { setTimeout(function () { callback(result(value)); }, 0); }

  var source = config.item;
  var attachments = (source.attachments || []).map(function (file) {
    return { id: file.id, name: file.name, size: file.size, contentType: file.contentType, isInline: Boolean(file.isInline), attachmentType: "file" };
  });

  var item = {
    itemType: "message",
    internetMessageId: source.internetMessageId,
    subject: source.subject,
    from: source.from,
    sender: source.from,
    to: source.to || [],
    cc: source.cc || [],
    dateTimeCreated: new Date(source.dateTimeCreated),
    attachments: attachments,
    body: {
      getAsync: function (coercionType) {
        var callback = callbackOf(arguments);
        later(callback, coercionType === "html" ? source.bodyHtml || "" : source.bodyText || "");
      },
    },
    getAttachmentContentAsync: function (id) {
      var callback = callbackOf(arguments);
      var file = (source.attachments || []).filter(function (candidate) { return candidate.id === id; })[0];
      if (!file) {
        setTimeout(function () { callback({ status: "failed", value: null, error: { code: 9040, message: "The attachment is not in this message." } }); }, 0);
        return;
      }
      later(callback, { content: file.contentBytes, format: "base64" });
    },
  };

  function base64url(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i += 1) { text += String.fromCharCode(bytes[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function randomText() {
    var bytes = new Uint8Array(32);
    crypto.getRandomValues(bytes);
    return base64url(bytes);
  }

  function challengeFor(verifier) {
    if (!(window.crypto && crypto.subtle)) { return Promise.resolve({ challenge: verifier, method: "plain" }); }
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)).then(function (digest) {
      return { challenge: base64url(new Uint8Array(digest)), method: "S256" };
    });
  }

  function storedToken() {
    try {
      var stored = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || "null");
      return stored && stored.expiresAt > Date.now() + 60000 ? stored.token : null;
    } catch (error) { return null; }
  }

  function signIn() {
    var verifier = randomText();
    var stateValue = randomText();
    return challengeFor(verifier).then(function (pkce) {
      sessionStorage.setItem(PENDING_KEY, JSON.stringify({
        verifier: verifier, state: stateValue, returnTo: location.href, user: config.user, redirectUri: config.redirectUri,
      }));
      var query = new URLSearchParams({
        client_id: config.clientId, response_type: "code", redirect_uri: config.redirectUri, scope: config.scope,
        state: stateValue, code_challenge: pkce.challenge, code_challenge_method: pkce.method, login_hint: config.user,
      });
      location.assign(config.authorizeUrl + "?" + query.toString());
      return new Promise(function () {}); // the page is leaving for the sign-in page
    });
  }

  window.Office = {
    HostType: { Outlook: "Outlook" },
    PlatformType: { OfficeOnline: "OfficeOnline" },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    CoercionType: { Text: "text", Html: "html" },
    EventType: { ItemChanged: "olkItemSelectedChanged" },
    MailboxEnums: {
      AttachmentType: { File: "file", Item: "item", Cloud: "cloud" },
      AttachmentContentFormat: { Base64: "base64", Url: "url", Eml: "eml", ICalendar: "iCalendar" },
    },
    context: {
      mailbox: {
        item: item,
        userProfile: { emailAddress: config.user, displayName: config.userName },
        // One message per page here: choosing another one loads another page, so there is nothing to notify.
        addHandlerAsync: function () { later(callbackOf(arguments), undefined); },
      },
      requirements: { isSetSupported: function () { return true; } },
    },
    auth: {
      getAccessToken: function () {
        var token = storedToken();
        return token ? Promise.resolve(token) : signIn();
      },
    },
    onReady: function (callback) {
      return new Promise(function (resolve) {
        function ready() {
          var info = { host: "Outlook", platform: "OfficeOnline" };
          if (callback) { callback(info); }
          resolve(info);
        }
        if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { setTimeout(ready, 0); }
      });
    },
  };
}());
