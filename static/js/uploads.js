// A file the server would refuse (core.uploads.MAX_UPLOAD_BYTES, settings.MAX_REQUEST_BYTES) is
// named beside its field as soon as it is chosen, and the form is not sent: the server's 413
// would replace the page and lose what was typed. The server still checks everything.
(() => {
  const body = document.body;
  const fileLimit = Number(body.dataset.uploadMaxBytes) || 0;
  const requestLimit = Number(body.dataset.requestMaxBytes) || 0;
  const megabytes = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  const fill = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));

  function feedbackFor(input) {
    let feedback = input.parentElement.querySelector(".js-upload-feedback");
    if (!feedback) {
      feedback = document.createElement("div");
      feedback.className = "invalid-feedback d-block js-upload-feedback";
      feedback.id = `${input.id || input.name}-size-error`;
      feedback.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", feedback);
      input.setAttribute("aria-describedby",
        [input.getAttribute("aria-describedby"), feedback.id].filter(Boolean).join(" "));
    }
    return feedback;
  }

  function check(input) {
    const limit = Number(input.dataset.maxBytes) || fileLimit;
    let message = "";
    for (const file of input.files || []) {
      if (limit && file.size > limit) {
        message = fill(body.dataset.uploadTooLarge, { name: file.name, size: megabytes(file.size) });
        break;
      }
    }
    if (!message && requestLimit && input.form) {
      let total = 0;
      for (const other of input.form.querySelectorAll("input[type=file]")) {
        for (const file of other.files || []) total += file.size;
      }
      if (total > requestLimit) {
        message = fill(body.dataset.requestTooLarge, { size: megabytes(total) });
      }
    }
    input.setCustomValidity(message);
    input.classList.toggle("is-invalid", Boolean(message));
    const feedback = feedbackFor(input);
    feedback.textContent = message;
    feedback.hidden = !message;
    return !message;
  }

  document.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.type === "file") {
      check(event.target);
    }
  });
  document.addEventListener("submit", (event) => {
    const inputs = event.target.querySelectorAll("input[type=file]");
    const refused = [...inputs].filter((input) => !check(input));
    if (refused.length) {
      event.preventDefault();
      refused[0].focus();
    }
  }, true);
})();
