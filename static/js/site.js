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

// Times of online events, also in the visitor's own time zone when it differs
// from the event's. Done here, not on the server, so that pages stay cacheable.
for (const slot of document.querySelectorAll("[data-visitor-time]")) {
  const moment = new Date(slot.dataset.visitorTime);
  const options = { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" };
  const language = document.documentElement.lang;
  const inEventZone = new Intl.DateTimeFormat(language, { ...options, timeZone: slot.dataset.timeZone });
  const inVisitorZone = new Intl.DateTimeFormat(language, options);
  if (inVisitorZone.format(moment) !== inEventZone.format(moment)) {
    const time = slot.querySelector("time");
    time.dateTime = moment.toISOString();
    time.textContent = new Intl.DateTimeFormat(language, { ...options, timeZoneName: "short" }).format(moment);
    slot.hidden = false;
  }
}
