"use client";

/**
 * "Send text": what is typed or pasted here is sent to the guest as keystrokes (a VM console has no shared
 * clipboard). The clipboard button reads the browser's clipboard, which the browser may ask permission for.
 */
import { useState } from "react";
import { Button } from "@/lib/ui/button";

/** More than this is not typing, it is a file transfer: refused. */
const MAX_CHARS = 10_000;

export function SendTextPanel({ id, onSend, onClose }: { id: string; onSend: (text: string) => void; onClose: () => void }) {
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const pasteClipboard = async () => {
    try {
      setText((await navigator.clipboard.readText()).slice(0, MAX_CHARS));
      setProblem(null);
    } catch {
      setProblem("The browser did not give access to the clipboard: paste into the box instead (Ctrl+V).");
    }
  };
  return (
    <div id={id} className="flex flex-col gap-2 rounded border border-line bg-surface p-3">
      <label htmlFor={`${id}-text`} className="text-sm font-medium">
        Text to type into the guest
      </label>
      <textarea
        id={`${id}-text`}
        value={text}
        maxLength={MAX_CHARS}
        rows={3}
        onChange={(event) => setText(event.target.value)}
        className="w-full rounded border border-line bg-canvas p-2 font-mono text-sm"
      />
      {problem && (
        <p className="text-sm text-warn-text" role="alert">
          {problem}
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        <Button
          size="sm"
          variant="primary"
          disabledReason={text ? undefined : "Nothing to type"}
          onClick={() => {
            onSend(text);
            setText("");
          }}
        >
          Type it
        </Button>
        <Button size="sm" onClick={() => void pasteClipboard()}>
          Paste from clipboard
        </Button>
        <Button size="sm" variant="ghost" onClick={onClose}>
          Close
        </Button>
      </div>
    </div>
  );
}
