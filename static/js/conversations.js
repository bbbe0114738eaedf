/* Conversations on the staff pages.
 *
 * A link to a milestone's or a submission's conversation (#milestone-12, as notifications send) opens its panel,
 * which loads the thread.
 *
 * Files on a conversation: drop a file on the zone (or choose one) and it is uploaded at once through the API,
 * with a progress bar; a file too big or of a refused type is reported in place before anything is sent, and the
 * server's own refusal (checked by content) in place after. Every message goes in as text, never as HTML.
 * Without JavaScript the same form posts to the page and reloads it. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showError(form, text) {
    var slot = form.querySelector(".upload-error");
    if (slot) { slot.textContent = text || ""; }
  }

  function refusal(form, file) {
    var max = parseInt(form.dataset.maxBytes, 10);
    if (max && file.size > max) { return form.dataset.tooBig; }
    var input = form.querySelector("input[type=file]");
    var accepted = (input && input.getAttribute("accept") || "").toLowerCase().split(",")
      .map(function (ext) { return ext.trim(); }).filter(Boolean);
    var name = file.name.toLowerCase();
    if (accepted.length && !accepted.some(function (ext) { return name.endsWith(ext); })) {
      return form.dataset.wrongType;
    }
    return "";
  }

  function serverMessage(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body.detail) { return String(body.detail); }
      return Object.keys(body).map(function (key) {
        return [].concat(body[key]).map(String).join(" ");
      }).join(" ");
    } catch (error) {
      return "";
    }
  }

  function refresh(form) {
    var thread = form.closest(".conversation");
    if (thread && window.htmx) {
      window.htmx.ajax("GET", thread.dataset.url, { target: thread, swap: "outerHTML" });
    } else {
      window.location.reload();
    }
  }

  function upload(form, file) {
    var problem = refusal(form, file);
    showError(form, problem);
    if (problem) { return; }
    var data = new FormData();
    var visible = form.querySelector("input[name=client_visible]");
    data.append("file", file);
    data.append("owner_type", form.dataset.ownerType);
    data.append("owner_id", form.dataset.ownerId);
    data.append("client_visible", visible && visible.checked ? "true" : "false");
    var progress = form.querySelector(".upload-progress");
    var button = form.querySelector("button[type=submit]");
    progress.hidden = false;
    progress.value = 0;
    button.disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.api);
    xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Accept-Language", document.documentElement.lang || "en");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { progress.value = Math.round(100 * event.loaded / event.total); }
    });
    xhr.addEventListener("load", function () {
      button.disabled = false;
      if (xhr.status === 201) {
        progress.value = 100;
        refresh(form);
        return;
      }
      progress.hidden = true;
      showError(form, serverMessage(xhr) || form.dataset.failed);
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      progress.hidden = true;
      showError(form, form.dataset.failed);
    });
    xhr.send(data);
  }

  function uploadForm(target) {
    return target && target.closest ? target.closest("form.upload") : null;
  }

  function openLinkedPanel() {
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target && target.tagName === "DETAILS") {
      target.open = true;
      target.scrollIntoView();
    }
  }
  if (document.readyState === "complete") {
    openLinkedPanel();
  } else {
    document.addEventListener("DOMContentLoaded", openLinkedPanel);  // after htmx has read the page
  }
  window.addEventListener("hashchange", openLinkedPanel);

  document.addEventListener("change", function (event) {
    var form = uploadForm(event.target);
    if (form && event.target.type === "file" && event.target.files.length) {
      Array.prototype.forEach.call(event.target.files, function (file) { upload(form, file); });
      event.target.value = "";
    }
  });
  document.addEventListener("submit", function (event) {
    var form = uploadForm(event.target);
    if (!form) { return; }
    event.preventDefault();
    var input = form.querySelector("input[type=file]");
    if (input && input.files.length) { upload(form, input.files[0]); }
  });
  document.addEventListener("dragover", function (event) {
    var form = uploadForm(event.target);
    if (form) {
      event.preventDefault();
      form.classList.add("dragging");
    }
  });
  document.addEventListener("dragleave", function (event) {
    var form = uploadForm(event.target);
    if (form) { form.classList.remove("dragging"); }
  });
  document.addEventListener("drop", function (event) {
    var form = uploadForm(event.target);
    if (!form) { return; }
    event.preventDefault();
    form.classList.remove("dragging");
    Array.prototype.forEach.call(event.dataTransfer.files, function (file) { upload(form, file); });
  });
})();
