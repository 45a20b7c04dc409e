/** Fields the list filters share (VMs, alerts): a group of checkbox chips and the pool picker, both GET form fields. */
import { cx } from "@/lib/ui/classes";
import { inputClasses } from "@/lib/ui/field";

/** Chips, one checkbox each, sent as `name` once per chip checked. */
export function CheckboxChips({
  legend,
  name,
  options,
  checked,
}: {
  legend: string;
  name: string;
  options: readonly { value: string; label: string }[];
  checked: readonly string[];
}) {
  return (
    <fieldset className="space-y-1">
      <legend className="mb-1 block text-xs font-medium">{legend}</legend>
      <div className="flex flex-wrap gap-1">
        {options.map((option) => (
          <label
            key={option.value}
            className={cx(
              "inline-flex h-8 cursor-pointer items-center gap-1.5 rounded-md border border-line-strong px-2 text-xs select-none",
              "has-[:checked]:border-accent has-[:checked]:bg-selected has-[:focus-visible]:ring-2",
            )}
          >
            <input type="checkbox" name={name} value={option.value} defaultChecked={checked.includes(option.value)} className="size-3.5 accent-accent" />
            {option.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** "All pools" or one of them, sent as `pool`. */
export function PoolSelect({ id, pools, selected }: { id: string; pools: readonly { id: string; label: string }[]; selected: string }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-xs font-medium">
        Pool
      </label>
      <select id={id} name="pool" defaultValue={selected} className={cx(inputClasses, "w-40 pr-8")}>
        <option value="">All pools</option>
        {pools.map((pool) => (
          <option key={pool.id} value={pool.id}>
            {pool.label}
          </option>
        ))}
      </select>
    </div>
  );
}
