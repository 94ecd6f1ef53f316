/* The site's own behaviour, loaded by every page (templates/base.html, the printable report card).
   No page has an inline script or handler: the Content-Security-Policy allows scripts from our own
   static files only (docs/decisions/0006-runtime.md).

   - A form is not posted twice: once it is on its way its submit buttons are disabled; they come
     back when an htmx request ends (an error included), when the person comes back to the page
     (the back button), or after a while (a download, a navigation stopped with Esc).
     `data-resubmit` on a form opts out.
   - `data-select-all="CSS selector"` on a checkbox ticks or clears every box the selector names.
   - `data-print` on a button opens the browser's print dialogue. */
(function () {
  "use strict";
  var AGAIN_AFTER_MS = 15000;

  function submitButtons(form) {
    // form.elements includes buttons outside the form that name it (form="bulk").
    return Array.prototype.filter.call(form.elements, function (el) {
      return (el.tagName === "BUTTON" && el.type === "submit") ||
        (el.tagName === "INPUT" && (el.type === "submit" || el.type === "image"));
    });
  }

  function hold(form) {
    form.setAttribute("data-submitting", "");
    submitButtons(form).forEach(function (button) {
      if (!button.disabled) {
        button.disabled = true;
        button.setAttribute("data-held", "");
      }
    });
  }

  function release(form) {
    form.removeAttribute("data-submitting");
    submitButtons(form).forEach(function (button) {
      if (button.hasAttribute("data-held")) {
        button.disabled = false;
        button.removeAttribute("data-held");
      }
    });
  }

  function guarded(form) {
    return form instanceof HTMLFormElement && form.method.toLowerCase() === "post" &&
      form.target !== "_blank" && !form.hasAttribute("data-resubmit");
  }

  function sentByHtmx(form) {
    return ["hx-post", "hx-put", "hx-patch", "hx-delete", "data-hx-post"].some(function (name) {
      return form.hasAttribute(name);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!guarded(form) || sentByHtmx(form)) return; // htmx's own requests: see below
    if (form.hasAttribute("data-submitting")) {
      event.preventDefault(); // a second click, or Enter, while the first is on its way
      return;
    }
    if (event.defaultPrevented) return; // another script sends it
    form.setAttribute("data-submitting", "");
    // Disabled only after this event: the browser has then read the clicked button's name and
    // value (a disabled button would be left out of what is sent).
    setTimeout(function () { hold(form); }, 0);
    setTimeout(function () { release(form); }, AGAIN_AFTER_MS);
  });

  // htmx has gathered the form's values (the clicked button's included) before beforeRequest.
  function htmxForm(event) {
    var elt = event.detail && event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    return form && guarded(form) ? form : null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = htmxForm(event);
    if (form) hold(form);
  });
  ["htmx:afterRequest", "htmx:sendError", "htmx:responseError", "htmx:timeout", "htmx:sendAbort"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var form = htmxForm(event);
      if (form) release(form);
    });
  });

  // Back to a page from the browser's history: its forms may be used again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(release);
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("input[type=checkbox][data-select-all]")) {
      document.querySelectorAll(box.getAttribute("data-select-all")).forEach(function (other) {
        other.checked = box.checked;
      });
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
})();
