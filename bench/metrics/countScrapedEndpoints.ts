/**
 * The endpoints a scrape reports, from the Prometheus text: the sum of `mvnet_endpoints` over its
 * networks for one status. The benchmark checks it against what it made, so that the scrape it times
 * is seen to have counted them all.
 */
export function countScrapedEndpoints(text: string, status = 'ready'): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^mvnet_endpoints\{([^}]*)\} (\S+)$/.exec(line);
    if (m && new RegExp(`(^|,)status="${status}"(,|$)`).test(m[1])) total += Number(m[2]);
  }
  return total;
}
