import { describe, expect, it } from "vitest";
import { Semaphore } from "./semaphore";

describe("Semaphore", () => {
  it("never runs more than its limit at once, and runs everything", async () => {
    const semaphore = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        semaphore
          .run(async () => {
            running++;
            peak = Math.max(peak, running);
            // Let the others run a different number of turns before this one ends.
            for (let turn = 0; turn <= i % 3; turn++) await Promise.resolve();
            running--;
            if (i === 5) throw new Error("one fails");
            return i;
          })
          .catch((error: Error) => error.message),
      ),
    );
    expect(peak).toBe(3);
    expect(results[5]).toBe("one fails");
    expect(results.filter((r) => typeof r === "number")).toHaveLength(19);
    expect(semaphore.running).toBe(0);
    expect(semaphore.waiting).toBe(0);
  });
});
