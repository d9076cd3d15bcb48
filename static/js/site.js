// Copy buttons: <button data-copy-target="input-id" data-copied-label="Copied!">.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copyTarget);
  input.select();
  navigator.clipboard.writeText(input.value).then(() => {
    button.textContent = button.dataset.copiedLabel;
  });
});

// A form sent back with errors: its error summary is read out first.
document.getElementById("form-errors")?.focus();

// Share buttons (templates/events/_share.html): the device's share sheet when there is one.
for (const button of document.querySelectorAll("[data-share-url]")) {
  if (!navigator.share) continue;
  button.closest("[hidden]").hidden = false;
  button.addEventListener("click", () => {
    navigator.share({ title: button.dataset.shareTitle, url: button.dataset.shareUrl }).catch(() => {});
  });
}
