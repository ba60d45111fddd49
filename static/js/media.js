// The media library: while a (possibly large) file goes up, the upload button says so.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-media-upload]");
  if (!form) return;
  const button = form.querySelector("button[type=submit]");
  if (button) {
    button.setAttribute("aria-busy", "true");
    button.disabled = true;
    button.textContent = "Uploading…";
  }
});
