// The optional soft sound with a notification (Settings.sound, off by default): two quiet sine
// notes made with Web Audio, so no sound file ships. Each chime is counted on <html
// data-chimes> (the browser tests read it; it is not audible in a headless browser).

let ctx: AudioContext | null = null;

export function chime(): void {
  const root = document.documentElement;
  root.dataset.chimes = String(Number(root.dataset.chimes ?? "0") + 1);
  try {
    ctx ??= new AudioContext();
    const t0 = ctx.currentTime;
    for (const [i, freq] of [659.25, 880].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      const start = t0 + i * 0.14;
      // Soft: a gentle rise and a long fall, at a tenth of full volume.
      gain.gain.setValueAtTime(0, start);
      gain.gain.linearRampToValueAtTime(0.08, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.45);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.5);
    }
  } catch (e) {
    console.warn("no sound:", e);
  }
}
