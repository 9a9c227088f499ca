/**
 * Ids in Connect's formats, deterministic from counters (the same sequence after every reset):
 * assets `AS-dddd-dddd-dddd`, requests `PR-<asset digits>-NNN`, tier configs `TC-ddd-ddd-ddd`,
 * their requests `TCR-<config digits>-NNN`, and `CO-`, `ME-`, `WH-`, `TA-` ids.
 */

const ASSET_SPACE = 1_000_000_000_000n;
const SHORT_SPACE = 1_000_000_000n;

/** A bijection of 0..space-1 (multiplier coprime to the space), so ids look scattered yet never collide. */
function scramble(n: number, space: bigint, multiplier: bigint, offset: bigint): string {
  const value = (BigInt(n) * multiplier + offset) % space;
  return value.toString().padStart(space.toString().length - 1, '0');
}

function group(digits: string, size: number): string {
  const parts: string[] = [];
  for (let i = 0; i < digits.length; i += size) parts.push(digits.slice(i, i + size));
  return parts.join('-');
}

export class IdGenerator {
  private counters = new Map<string, number>();

  reset(): void {
    this.counters.clear();
  }

  private next(key: string): number {
    const value = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, value);
    return value;
  }

  asset(): string {
    return `AS-${group(scramble(this.next('AS'), ASSET_SPACE, 7_919n, 4_710_382_955n), 4)}`;
  }

  /** `PR-<digits of the asset>-NNN`, NNN counting the asset's requests. */
  request(assetId: string): string {
    const digits = assetId.replace(/^AS-/, '');
    return `PR-${digits}-${String(this.next(`PR:${assetId}`)).padStart(3, '0')}`;
  }

  tierConfig(): string {
    return `TC-${group(scramble(this.next('TC'), SHORT_SPACE, 104_729n, 625_056_106n), 3)}`;
  }

  tierConfigRequest(configId: string): string {
    const digits = configId.replace(/^TC-/, '');
    return `TCR-${digits}-${String(this.next(`TCR:${configId}`)).padStart(3, '0')}`;
  }

  tierAccount(): string {
    return `TA-${group(scramble(this.next('TA'), ASSET_SPACE, 6_007n, 875_771_422_923n), 4)}`;
  }

  short(prefix: 'CO' | 'ME' | 'WH'): string {
    return `${prefix}-${group(scramble(this.next(prefix), SHORT_SPACE, 15_485_863n, 608_552_367n), 3)}`;
  }

  /** A UUID-shaped, deterministic external uid. */
  uuid(): string {
    const n = this.next('UUID').toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${n}`;
  }

  /** A numeric-looking external id. */
  externalId(): string {
    return String(100_000 + this.next('EXT'));
  }
}
