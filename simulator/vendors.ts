/** Vendor (服务商) credentials: `/terminal/activate` is signed with vendor_sn / vendor_key (reference §1.2, §2.1). */
export interface VendorCredentials {
  vendorSn: string;
  vendorKey: string;
}

/** Built-in vendor used when none is configured. Not a secret: demo only, like DEMO_TERMINAL. */
export const DEMO_VENDOR: Readonly<VendorCredentials> = {
  vendorSn: '91800000000000001',
  vendorKey: 'fedcba9876543210fedcba9876543210',
};

export interface LoadedVendors {
  vendors: VendorCredentials[];
  usedDemo: boolean;
}

/** Vendor for the CLI: `SQB_VENDOR_SN` + `SQB_VENDOR_KEY` (both or neither); the demo vendor when unset. */
export function loadVendors(env: NodeJS.ProcessEnv = process.env): LoadedVendors {
  const vendorSn = env.SQB_VENDOR_SN;
  const vendorKey = env.SQB_VENDOR_KEY;
  if (!vendorSn && !vendorKey) return { vendors: [{ ...DEMO_VENDOR }], usedDemo: true };
  if (!vendorSn || !vendorKey) throw new Error('set both SQB_VENDOR_SN and SQB_VENDOR_KEY, or neither');
  return { vendors: [{ vendorSn, vendorKey }], usedDemo: false };
}

/** vendor_sn → vendor_key, for the activate signature check. */
export function vendorKeys(vendors: readonly VendorCredentials[]): ReadonlyMap<string, string> {
  const keys = new Map<string, string>();
  for (const v of vendors) {
    if (!v.vendorSn || !v.vendorKey) throw new Error('vendor needs both vendorSn and vendorKey');
    keys.set(v.vendorSn, v.vendorKey);
  }
  return keys;
}
