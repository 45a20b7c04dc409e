/**
 * Writing a disk image into an existing VDI: `PUT /import_raw_vdi?session_id&vdi&format=raw&task_id` on the pool
 * master (import_raw_vdi.ml), as Xen Orchestra's putResource does it. xapi answers 200 before it reads the body
 * and tells how the write went in the task only, so the task (created here, so that it is known before the first
 * byte) is the outcome: its error is the error, whatever happened to the connection.
 */
import type { CallAsyncOptions, XapiClient } from "./client";
import { XapiError, XapiProtocolError } from "./errors";
import type { TaskRecord } from "./model/records.generated";

/** Uploads `image` (raw bytes, at most the disk's size) into `vdiRef`; resolves once the pool has written it. */
export async function importRawVdi(client: XapiClient, vdiRef: string, image: Buffer, options: CallAsyncOptions = {}): Promise<void> {
  const task = await client.call<string>("task.create", "Disk image upload", "XenDeck: raw image written into a disk");
  let failure: unknown;
  try {
    const answer = await client.put("/import_raw_vdi", { vdi: vdiRef, format: "raw", task_id: task }, image, { signal: options.signal });
    if (answer.status === 200) {
      await client.awaitTask("import_raw_vdi", task, options);
      return;
    }
    failure = new XapiProtocolError(`PUT /import_raw_vdi: HTTP ${answer.status}`);
  } catch (error) {
    failure = error;
  }
  // The handler may have failed the task with the real reason (VDI_IO_ERROR, VDI_IN_USE...) before the exchange broke.
  const record = await client.call<TaskRecord>("task.get_record", task).catch(() => undefined);
  await client.call("task.destroy", task).catch(() => {});
  if (record?.status === "failure" && record.error_info.length > 0) throw XapiError.fromDescription(record.error_info, "import_raw_vdi");
  throw failure;
}
