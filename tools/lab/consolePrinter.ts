/**
 * Passes a lab instance's console through to stdout from init's "booted" line on (unless `showBoot`),
 * without init's own `mvnet-lab:` lines and the kernel's last words, so what is printed is mostly
 * the command's output.
 */
export function consolePrinter(showBoot: boolean): (text: string) => void {
  let booted = showBoot;
  let partial = '';
  return (text) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('mvnet-lab: booted')) booted = true;
      if (line.startsWith('mvnet-lab: command exited')) booted = showBoot;
      if (booted && (showBoot || !/^(mvnet-lab: |reboot: )/.test(line))) process.stdout.write(`${line}\n`);
    }
  };
}
