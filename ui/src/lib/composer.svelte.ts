// The state of a box the lecturer writes a message in (ReplyBox, BroadcastDialog): the text, a
// send in progress, the last error, and why sending is off. One send at a time; an empty text or
// a stopped receiver sends nothing.
import { app, type SendResult } from "./app.svelte";

export class Composer {
  text = $state("");
  sending = $state(false);
  error = $state<string | null>(null);

  constructor(private readonly deliver: (text: string) => Promise<SendResult>) {}

  get stopped(): boolean {
    return !app.status.running;
  }

  get canSend(): boolean {
    return !this.stopped && !this.sending && this.text.trim() !== "";
  }

  /** Sends the text; true when it went out (the box is then emptied). */
  async send(): Promise<boolean> {
    if (!this.canSend) return false;
    this.sending = true;
    this.error = null;
    try {
      const r = await this.deliver(this.text);
      if (r.ok) this.text = "";
      else this.error = r.error;
      return r.ok;
    } finally {
      this.sending = false;
    }
  }
}

/** Enter sends; Shift+Enter (a new line) and an IME composition do not. */
export function isSendKey(e: KeyboardEvent): boolean {
  return e.key === "Enter" && !e.shiftKey && !e.isComposing;
}
