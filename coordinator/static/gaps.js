// The gap list without a page reload: post the same form, put the updated gap in place.
// Without JavaScript the form posts normally and the page comes back with a message.
(function () {
  "use strict";
  var status = document.getElementById("gap-status");
  function say(text, isError) {
    if (!status) { return; }
    status.hidden = false;
    status.className = "flash " + (isError ? "flash-error" : "flash-info");
    status.textContent = text;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-inplace") || !window.fetch) { return; }
    event.preventDefault();
    var item = form.closest(".gap-item");
    var buttons = item ? item.querySelectorAll("button") : [];
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      say(result.data.message, !result.ok);
      if (!result.ok) {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        return;
      }
      var lead = document.getElementById("gap-lead");
      if (lead && result.data.lead) { lead.textContent = result.data.lead; }
      if (result.data.html) {
        var holder = document.createElement("div");
        holder.innerHTML = result.data.html.trim();
        item.replaceWith(holder.firstElementChild);
      } else if (item) {
        item.remove();
      }
    }).catch(function () { form.submit(); });
  });
}());
