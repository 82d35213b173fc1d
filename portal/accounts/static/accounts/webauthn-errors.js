// When a security key cannot be used (the person cancelled, the key is not registered, the
// browser does not support WebAuthn), allauth's webauthn.js dispatches "allauth.error".
// Show the page's GOV.UK error summary instead of failing silently.
(function () {
  'use strict'
  document.addEventListener('allauth.error', function (event) {
    var summary = document.getElementById('webauthn-error')
    if (!summary) {
      return
    }
    event.preventDefault()
    summary.hidden = false
    summary.focus()
  })
})()
