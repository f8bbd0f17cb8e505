// Wagtail's autosave on a new page's form posts to the "add" URL and, once answered,
// points the form at the new page's edit URL. A Save draft or Submit clicked while
// that autosave is still on its way would post to the "add" URL again and create a
// second page. So a submit waits for the autosave in flight to answer (at most
// fifteen seconds), then goes where the form points by then.
(() => {
  "use strict";

  const inFlight = new WeakSet();
  const WAIT_AT_MOST_MS = 15000;

  document.addEventListener("w-autosave:save", (event) => {
    inFlight.add(event.target);
  });
  for (const name of ["w-autosave:success", "w-autosave:error"]) {
    document.addEventListener(name, (event) => {
      const form = event.target;
      inFlight.delete(form);
      form.dispatchEvent(new CustomEvent("zhongcao:autosave-settled"));
    });
  }

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !inFlight.has(form)) {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      const submitter = event.submitter;
      let sent = false;
      const send = () => {
        if (sent) {
          return;
        }
        sent = true;
        inFlight.delete(form);
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      };
      form.addEventListener("zhongcao:autosave-settled", send, { once: true });
      window.setTimeout(send, WAIT_AT_MOST_MS);
    },
    true,
  );
})();
