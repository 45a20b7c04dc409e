/**
 * The audit log's hash chain, end to end: an admin verifies it from the audit page; after one stored entry is
 * edited directly in the database, the same button names that entry; once the edit is undone, it verifies again.
 * This is the only spec that verifies the chain, so the deliberate break cannot make another test fail.
 */
import { withRunDb } from "./support/access";
import { expect, test } from "./support/fixtures";

test("verification names the entry that was edited in the database, and passes again once it is restored", async ({ page, run }) => {
  await page.goto("/audit");
  const verify = page.getByRole("button", { name: "Verify chain" });
  await verify.click();
  await expect(page.getByText(/The audit chain is intact: [\d,]+ entries verified\./)).toBeVisible();

  // An entry from the middle of the log: the first login of the viewer (the set-up signed everyone in).
  const target = withRunDb(run, (db) =>
    db.prepare("SELECT id, params, outcome FROM AuditEntry WHERE action = 'auth.login' AND actorUsername = 'viewer' ORDER BY id LIMIT 1").get(),
  ) as { id: number; params: string; outcome: string };
  expect(target).toBeTruthy();

  withRunDb(run, (db) => db.prepare("UPDATE AuditEntry SET outcome = 'refused' WHERE id = ?").run(target.id), { writable: true });
  try {
    await verify.click();
    await expect(
      page.getByText(`The audit chain is broken at entry #${target.id}: Entry #${target.id} was modified: its content does not match its hash.`),
    ).toBeVisible();
  } finally {
    withRunDb(run, (db) => db.prepare("UPDATE AuditEntry SET outcome = ? WHERE id = ?").run(target.outcome, target.id), { writable: true });
  }

  await page.reload();
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByText(/The audit chain is intact: [\d,]+ entries verified\./)).toBeVisible();
  // Each verification is itself on record.
  const verifications = withRunDb(run, (db) => db.prepare("SELECT params FROM AuditEntry WHERE action = 'audit.verify' ORDER BY id").all());
  expect(verifications.map((row) => JSON.parse(String(row.params)).intact)).toEqual(expect.arrayContaining([true, false]));
});
