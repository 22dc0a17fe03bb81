/* The session timer (templates/programs/session_timer.html): the warm-up, each walk and each rest counted
   down from the steps the page lists, with a tone, a spoken cue and a vibration at every change.

   Time is read from the clock (Date.now), not counted in ticks, so a phone that slows the page down
   (screen dimmed, tab in the background) still changes step on time. At the end, or on Stop now or
   End early, the session log opens with the minutes walked (session_log_form.js fills them in). */
"use strict";
(function () {
  const root = document.querySelector("[data-timer]");
  if (!root) return;
  const words = root.dataset;
  const clock = root.querySelector(".timer-clock");
  const title = root.querySelector("[data-step-title]");
  const countdown = root.querySelector("[data-countdown]");
  const upcoming = root.querySelector("[data-next]");
  const announcer = root.querySelector("[data-announce]");
  const wake = root.querySelector("[data-wake]");
  const buttons = {};
  root.querySelectorAll("[data-action]").forEach((button) => { buttons[button.dataset.action] = button; });
  const steps = [...root.querySelectorAll("[data-step]")].map((item) => ({
    item,
    kind: item.dataset.kind,
    ms: Number(item.dataset.seconds) * 1000,
    title: item.dataset.title,
    say: item.dataset.say,
  }));

  let index = -1;
  let endsAt = 0; // when the current step ends (running)
  let left = 0; // what is left of it (paused)
  let running = false;
  let walkedBefore = 0; // ms walked in the steps already over
  let ticker = null;
  let audio = null;
  let wakeLock = null;

  function show(ms) {
    const seconds = Math.max(0, Math.ceil(ms / 1000));
    countdown.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function announce(text) {
    announcer.textContent = text;
  }

  function tone(kind) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const pitches = { warm_up: [523], walk: [880, 880], rest: [660], end: [880, 660, 523] };
      (pitches[kind] || [660]).forEach((pitch, n) => {
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        const start = audio.currentTime + n * 0.3;
        oscillator.frequency.value = pitch;
        gain.gain.setValueAtTime(0.4, start);
        gain.gain.exponentialRampToValueAtTime(0.001, start + 0.25);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(start);
        oscillator.stop(start + 0.26);
      });
    } catch (unavailable) { /* no sound on this device: the words and the vibration remain */ }
  }

  function speak(text) {
    if (!("speechSynthesis" in window)) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
  }

  function cue(kind, text) {
    tone(kind);
    speak(text);
    if (navigator.vibrate) navigator.vibrate(kind === "walk" ? [300, 150, 300] : 400);
    announce(text);
  }

  async function keepAwake() {
    if (!("wakeLock" in navigator)) {
      wake.textContent = words.wordsWakeOff;
      return;
    }
    try {
      wakeLock = await navigator.wakeLock.request("screen");
      wake.textContent = words.wordsWakeOn;
    } catch (refused) {
      wake.textContent = words.wordsWakeOff;
    }
  }

  function letSleep() {
    if (wakeLock) wakeLock.release().catch(() => {});
    wakeLock = null;
  }

  function walkedMs() {
    const step = steps[index];
    const now = running ? endsAt - Date.now() : left;
    return walkedBefore + (step && step.kind === "walk" ? Math.max(0, step.ms - Math.max(0, now)) : 0);
  }

  function begin(next, at) {
    index = next;
    const step = steps[index];
    endsAt = at + step.ms;
    left = step.ms;
    steps.forEach((other, n) => {
      other.item.classList.toggle("is-current", n === index);
      if (n === index) other.item.setAttribute("aria-current", "step");
      else other.item.removeAttribute("aria-current");
    });
    clock.dataset.kind = step.kind;
    title.textContent = step.title;
    const after = steps[index + 1];
    upcoming.textContent = after ? words.wordsNext.replace("%s", after.title) : words.wordsLast;
    buttons.skip.hidden = step.kind === "walk";
    cue(step.kind, step.say);
    show(step.ms);
  }

  function finish(stopped) {
    const minutes = Math.round(walkedMs() / 60000); // before the clock stops: a running step counts to now
    running = false;
    clearInterval(ticker);
    letSleep();
    const query = new URLSearchParams({ from: "timer", minutes: String(minutes) });
    if (stopped) query.set("stopped", "1");
    cue("end", stopped ? words.wordsStopped : words.wordsDone);
    window.location.assign(words.logUrl + "?" + query.toString());
  }

  function tick() {
    if (!running) return;
    let now = Date.now();
    // Steps whose time is over (the phone may have slept through more than one).
    while (now >= endsAt) {
      const step = steps[index];
      if (step.kind === "walk") walkedBefore += step.ms;
      if (index + 1 >= steps.length) {
        index = steps.length; // past the last step: every walk is in walkedBefore
        finish(false);
        return;
      }
      begin(index + 1, endsAt);
      now = Date.now();
    }
    show(endsAt - now);
  }

  function start() {
    running = true;
    buttons.toggle.textContent = words.wordsPause;
    buttons.finish.hidden = false;
    ticker = setInterval(tick, 250);
    keepAwake();
  }

  buttons.toggle.addEventListener("click", () => {
    if (index < 0) {
      start();
      begin(0, Date.now());
    } else if (running) {
      left = endsAt - Date.now();
      running = false;
      clearInterval(ticker);
      clock.dataset.paused = "true";
      buttons.toggle.textContent = words.wordsResume;
      announce(words.wordsPaused);
      speak(words.wordsPaused);
    } else {
      endsAt = Date.now() + left;
      delete clock.dataset.paused;
      start();
      announce(words.wordsResumed);
      speak(words.wordsResumed);
    }
  });

  buttons.skip.addEventListener("click", () => {
    if (index < 0 || steps[index].kind === "walk") return;
    if (index + 1 >= steps.length) return finish(false);
    if (!running) start();
    begin(index + 1, Date.now());
  });

  buttons.finish.addEventListener("click", () => finish(true));
  buttons.stop.addEventListener("click", () => finish(true));

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && running) {
      tick();
      keepAwake();
    }
  });
})();
