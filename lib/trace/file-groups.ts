/** Small trace files are read (imported, analyzed) in groups of consecutive files up to this many bytes or files a task. */
export const GROUP_BYTES = 4 << 20;
export const GROUP_FILES = 512;

/** The tasks: each large file alone, runs of small ones together up to `groupBytes`, in the order given. */
export function fileGroups(
  files: readonly string[],
  sizes: readonly number[],
  groupBytes: number,
): { files: string[]; bytes: number }[] {
  const groups: { files: string[]; bytes: number }[] = [];
  let open: { files: string[]; bytes: number } | undefined;
  for (const [k, file] of files.entries()) {
    if (sizes[k] >= groupBytes) {
      groups.push({ files: [file], bytes: sizes[k] });
      open = undefined;
      continue;
    }
    if (open === undefined || open.bytes + sizes[k] > groupBytes || open.files.length >= GROUP_FILES)
      groups.push((open = { files: [], bytes: 0 }));
    open.files.push(file);
    open.bytes += sizes[k];
  }
  return groups;
}
