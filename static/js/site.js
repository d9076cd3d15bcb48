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

// The list's extra filters start folded on phones when none is in use, so that
// the events come first; without JavaScript they simply stay open.
const moreFilters = document.querySelector("details.more-filters");
if (moreFilters && !("inUse" in moreFilters.dataset) && matchMedia("(max-width: 991.98px)").matches) {
  moreFilters.open = false;
}
