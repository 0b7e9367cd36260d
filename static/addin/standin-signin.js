/*
 * SANDBOX ONLY: the end of the Office.js stand-in's sign-in. The sandbox's Microsoft sign-in page sent the browser
 * here with an authorization code; redeem it (with the PKCE verifier kept before leaving) for an access token to
 * crmbridge's API, keep the token for this browser tab, and go back to the demo message.
 */
(function () {
  "use strict";

  var PENDING_KEY = "crmbridge.standin.pending";
  var message = document.getElementById("signin-status");

  function fail(text) {
    message.textContent = text;
    message.setAttribute("role", "alert");
  }

  var params = new URLSearchParams(location.search);
  var pending = null;
  try { pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) || "null"); } catch (error) { pending = null; }
  sessionStorage.removeItem(PENDING_KEY);

  if (params.get("error")) {
    fail("Sign-in did not finish: " + (params.get("error_description") || params.get("error")));
    return;
  }
  if (!pending || !params.get("code") || params.get("state") !== pending.state) {
    fail("This sign-in does not belong to this browser tab. Open the demo again.");
    return;
  }
  fetch("/addin/demo/token", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ code: params.get("code"), code_verifier: pending.verifier, redirect_uri: pending.redirectUri }),
  }).then(function (response) {
    return response.json().then(function (data) {
      if (!response.ok) { throw new Error((data && data.error && data.error.message) || "The sandbox refused the sign-in."); }
      return data;
    });
  }).then(function (data) {
    sessionStorage.setItem("crmbridge.standin.token." + pending.user, JSON.stringify({
      token: data.access_token, expiresAt: Date.now() + data.expires_in * 1000,
    }));
    location.replace(pending.returnTo);
  }).catch(function (error) { fail(error.message); });
}());
