// Assigning without a page reload: post the same form, put the updated card in place and
// say what happened in the card's own live region (the same words as without JavaScript).
// Without JavaScript the form posts, and the page comes back at the card (#fragment) with
// the result in that region. On load, focus goes to the card's result or confirm button.
(function () {
  "use strict";
  function statusOf(item) { return item && item.querySelector(".card-status"); }
  function focusIn(item) {
    var target = item.querySelector(".confirm-yes") || statusOf(item);
    if (!target) { return; }
    if (!target.matches("button")) { target.tabIndex = -1; }
    target.focus({ preventScroll: true });
  }
  function sayError(item, text) {
    var status = statusOf(item);
    if (!status) { return; }
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.textContent = text;
    status.replaceChildren(p);
  }
  function put(item, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    if (!fresh) { return; }
    item.className = fresh.className;
    var body = item.querySelector(".gap-body"), freshBody = fresh.querySelector(".gap-body");
    if (body && freshBody) { body.replaceWith(freshBody); }
    // Keep the live region element itself (a new one would not be announced): only its
    // content changes.
    var status = statusOf(item), freshStatus = statusOf(fresh);
    if (status && freshStatus) { status.replaceChildren.apply(status, freshStatus.childNodes); }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-inplace") || !window.fetch) { return; }
    var item = form.closest(".gap-item");
    if (!item) { return; }
    event.preventDefault();
    var buttons = item.querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      var data = result.data;
      if (data.html) {
        put(item, data.html);
      } else {
        sayError(item, data.message);
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      }
      var lead = document.getElementById("gap-lead");
      if (lead && data.lead) { lead.textContent = data.lead; }
      focusIn(item);
    }).catch(function () { form.submit(); });
  });
  // After the load (the browser has scrolled to the #fragment by then).
  window.addEventListener("load", function () {
    var card = location.hash && document.getElementById(location.hash.slice(1));
    if (card && statusOf(card) && statusOf(card).textContent.trim()) { focusIn(card); }
  });
}());
