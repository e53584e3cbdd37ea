import type { Cloud, ConnectorSettings } from '../model/connectors.js';

/**
 * The sign-in, Microsoft Graph and Azure Resource Manager hosts of each Microsoft cloud (Microsoft
 * Graph "national cloud deployments" and the Azure Government / Azure China endpoint tables).
 * `usgov` is GCC (Microsoft 365 in the commercial cloud, Azure in Azure Government); `usgovhigh`
 * and `dod` are Microsoft 365 GCC High and DoD.
 */
export const CLOUD_HOSTS: Record<Cloud, { login: string; graph: string; arm: string }> = {
  global: { login: 'https://login.microsoftonline.com', graph: 'https://graph.microsoft.com', arm: 'https://management.azure.com' },
  usgov: { login: 'https://login.microsoftonline.com', graph: 'https://graph.microsoft.com', arm: 'https://management.usgovcloudapi.net' },
  usgovhigh: { login: 'https://login.microsoftonline.us', graph: 'https://graph.microsoft.us', arm: 'https://management.usgovcloudapi.net' },
  dod: { login: 'https://login.microsoftonline.us', graph: 'https://dod-graph.microsoft.us', arm: 'https://management.usgovcloudapi.net' },
  china: { login: 'https://login.chinacloudapi.cn', graph: 'https://microsoftgraph.chinacloudapi.cn', arm: 'https://management.chinacloudapi.cn' },
};

/** The hosts a connector talks to: its own overrides, else its cloud's. No trailing slash. */
export function endpointsOf(settings: Pick<ConnectorSettings, 'cloud' | 'graphUrl' | 'armUrl' | 'loginUrl'>): { login: string; graph: string; arm: string } {
  const hosts = CLOUD_HOSTS[settings.cloud];
  const trim = (url: string) => url.replace(/\/+$/, '');
  return { login: trim(settings.loginUrl ?? hosts.login), graph: trim(settings.graphUrl ?? hosts.graph), arm: trim(settings.armUrl ?? hosts.arm) };
}
