"use client";

/**
 * The host page's maintenance and power controls, for admins of the host. Entering maintenance mode opens a
 * dialog that first asks the pool which VMs could not leave (and why); the admin may force it anyway. Reboot and
 * shut down ask for confirmation and need a disabled host. While the host goes away and comes back, a banner says
 * so; the page follows its state through the live stream.
 */
import { useState } from "react";
import type { HostControlsView } from "@/lib/hosts/controls";
import type { BlockingVm } from "@/lib/hosts/actions";
import { Banner } from "@/lib/ui/banner";
import { Button } from "@/lib/ui/button";
import { CheckboxField } from "@/lib/ui/field";
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { FormDialog } from "@/lib/ui/form-dialog";
import { ProgressBar } from "@/lib/ui/progress";
import { StatusMessage } from "@/lib/ui/status-message";
import { useAction } from "@/lib/ui/use-action";
import { hostEvacuationCheckAction, hostMaintenanceAction, hostPowerAction } from "@/app/(console)/hosts/[uuid]/actions";

export function HostControls({ controls }: { controls: HostControlsView }) {
  const maintenance = useAction(hostMaintenanceAction);
  const power = useAction(hostPowerAction);
  const check = useAction(hostEvacuationCheckAction);
  const [last, setLast] = useState<"maintenance" | "power" | null>(null);
  const outcome = last === "maintenance" ? maintenance : last === "power" ? power : null;
  const result = outcome && !outcome.pending ? outcome.result : null;
  const { maintenanceControls, powerControls, name } = controls;
  if (!maintenanceControls && !powerControls) return <HostActivityBanner controls={controls} />;

  const runMaintenance = async (operation: "enable" | "disable" | "enter" | "exit", force = false) => {
    setLast("maintenance");
    return maintenance.run({ host: controls.uuid, operation, force });
  };
  const runPower = async (operation: "reboot" | "shutdown") => {
    setLast("power");
    return power.run({ host: controls.uuid, operation });
  };
  const blocking: BlockingVm[] = check.result?.ok ? check.result.blocking : [];
  const goingDown = (operation: "reboot" | "shutdown") => (
    <>
      {operation === "reboot"
        ? `${name} restarts: it goes away for a few minutes, then comes back by itself.`
        : `${name} powers off and stays off until someone powers it on at the machine.`}{" "}
      {controls.residentVms > 0 && `XAPI first moves or shuts down the ${controls.residentVms} VMs still on it. `}
      {controls.isMaster && "It is the pool master: XenDeck loses contact with the whole pool until it is back."}
    </>
  );

  return (
    <div className="space-y-2">
      <HostActivityBanner controls={controls} />
      <div role="toolbar" aria-label="Host maintenance" className="flex flex-wrap items-center gap-2">
        {maintenanceControls &&
          (controls.enabled ? (
            <>
              <FormDialog
                triggerLabel="Enter maintenance mode"
                disabledReason={maintenanceControls.enterUnavailableReason}
                title={`Put ${name} in maintenance mode?`}
                description={`${name} stops taking new VMs, and its ${controls.residentVms === 1 ? "VM moves" : `${controls.residentVms} VMs move`} to the other hosts of the pool. It stays disabled, even across a reboot, until you take it out of maintenance mode.`}
                submitLabel="Enter maintenance mode"
                onOpen={() => void check.run({ host: controls.uuid })}
                onSubmit={(data) => runMaintenance("enter", data.get("force") === "on")}
                progress={<ProgressBar label={`Moving the VMs off ${name}…`} showLabel />}
              >
                {() => (
                  <div className="space-y-2">
                    {check.pending ? (
                      <ProgressBar label="Checking which VMs can leave…" showLabel />
                    ) : check.result && !check.result.ok ? (
                      <StatusMessage tone="error" message={check.result.error} />
                    ) : blocking.length === 0 ? (
                      check.result && <p className="text-sm">Every VM on {name} can move to another host.</p>
                    ) : (
                      <BlockingList blocking={blocking} />
                    )}
                    {blocking.length > 0 && (
                      <CheckboxField
                        name="force"
                        label="Enter maintenance mode anyway"
                        hint="The host is disabled; the VMs listed stay on it until you stop or move them."
                      />
                    )}
                  </div>
                )}
              </FormDialog>
              <Button
                disabledReason={maintenanceControls.enterUnavailableReason}
                pending={maintenance.pending && last === "maintenance"}
                onClick={() => runMaintenance("disable")}
              >
                Disable
              </Button>
            </>
          ) : (
            <Button
              variant="primary"
              disabledReason={maintenanceControls.exitUnavailableReason}
              pending={maintenance.pending && last === "maintenance"}
              onClick={() => runMaintenance(controls.maintenance ? "exit" : "enable")}
            >
              {controls.maintenance ? "Exit maintenance mode" : "Enable"}
            </Button>
          ))}
        {powerControls &&
          (["reboot", "shutdown"] as const).map((operation) => (
            <ConfirmDialog
              key={operation}
              triggerLabel={operation === "reboot" ? "Reboot" : "Shut down"}
              triggerVariant="danger"
              disabledReason={operation === "reboot" ? powerControls.rebootUnavailableReason : powerControls.shutdownUnavailableReason}
              title={`${operation === "reboot" ? "Reboot" : "Shut down"} ${name}?`}
              confirmLabel={operation === "reboot" ? "Reboot" : "Shut down"}
              onConfirm={() => runPower(operation)}
            >
              {goingDown(operation)}
            </ConfirmDialog>
          ))}
      </div>
      <StatusMessage tone={result ? (result.ok ? "success" : "error") : "info"} message={result ? (result.ok ? result.message : result.error) : null} />
    </div>
  );
}

function BlockingList({ blocking }: { blocking: BlockingVm[] }) {
  return (
    <div className="space-y-1 text-sm">
      <p className="font-medium">{blocking.length === 1 ? "1 VM cannot leave this host:" : `${blocking.length} VMs cannot leave this host:`}</p>
      <ul className="list-disc space-y-0.5 pl-5" aria-label="VMs that prevent the evacuation">
        {blocking.map((vm, index) => (
          <li key={vm.uuid ?? index}>
            <span className="font-medium">{vm.name ?? "A VM you cannot see"}</span>: {vm.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The host going away and coming back, in words. */
function HostActivityBanner({ controls }: { controls: HostControlsView }) {
  if (controls.activity === "Rebooting" || (controls.activity && !controls.live)) {
    return (
      <Banner tone="info" live="status" title={`${controls.name} is ${controls.activity?.toLowerCase() ?? "away"}`}>
        {controls.live ? "Its VMs are leaving; it goes away next." : "It is away now; this page shows it again as soon as it is back."}
      </Banner>
    );
  }
  if (!controls.live) {
    return (
      <Banner tone="warning" live="status" title={`${controls.name} is not live`}>
        It does not answer the pool. A host that was shut down stays off until it is powered on at the machine.
      </Banner>
    );
  }
  if (controls.activity === "Evacuating") {
    return (
      <Banner tone="info" live="status" title={`${controls.name} is being evacuated`}>
        Its VMs are moving to the other hosts of the pool.
      </Banner>
    );
  }
  return null;
}
