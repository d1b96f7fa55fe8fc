/**
 * Every entry of the table of calls that may sleep is exercised: each
 * example matches its entry, and the rule reports it under a spinlock and
 * stays silent on it outside one.
 */
import { describe, expect, it } from "vitest";
import { SLEEPING, isSleepingCall } from "../../src/c/kernel/sleeps.js";
import { ruleTester } from "../helpers/rule-tester.js";

const under = (call: string) => `void f(struct dev *d)\n{\n\tspin_lock(&d->lock);\n\t${call}(d);\n\tspin_unlock(&d->lock);\n}\n`;
const outside = (call: string) => `void f(struct dev *d)\n{\n\t${call}(d);\n}\n`;

describe("the table of calls that may sleep", () => {
  it.each(SLEEPING.map((e) => [e.re.source, e] as const))("%s has examples it matches, and says why", (_, e) => {
    expect(e.examples.length).toBeGreaterThan(0);
    expect(e.why).not.toBe("");
    for (const x of e.examples) expect(e.re.test(x), x).toBe(true);
  });

  it("does not take lookalikes for sleeping calls", () => {
    for (const name of ["mutex_trylock", "mutex_unlock", "down_read_trylock", "up_write", "udelay", "mdelay", "spin_lock", "wake_up", "schedule_work", "kfree", "usb_submit_urb"]) {
      expect(isSleepingCall(name), name).toBe(false);
    }
  });
});

const examples = SLEEPING.flatMap((e) => e.examples);
ruleTester("sleep-in-atomic", {
  valid: examples.map((x) => ({ name: `${x}() with no lock held`, code: outside(x) })),
  invalid: examples.map((x) => ({ name: `${x}() under a spinlock`, code: under(x), errors: [{ line: 4, messageId: "sleeps" }] })),
});
