/** Every command id in one place; handlers are registered in features/commands.ts. */
export const Commands = {
  scanWorkspace: 'certlens.scanWorkspace',
  refresh: 'certlens.refresh',
  showDetails: 'certlens.showDetails',
  inspectSelection: 'certlens.inspectSelection',
  exportReport: 'certlens.exportReport',
  exportCalendar: 'certlens.exportCalendar',
  unlockPkcs12: 'certlens.unlockPkcs12',
  openSettings: 'certlens.openSettings',
  reveal: 'certlens.reveal',
  copyFingerprint: 'certlens.copyFingerprint',
  copyPem: 'certlens.copyPem',
  ignore: 'certlens.ignore',
  snooze: 'certlens.snooze',
  groupBy: 'certlens.groupBy',
  filter: 'certlens.filter',
  clearFilter: 'certlens.clearFilter',
  checkHost: 'certlens.checkHost',
  recheckHosts: 'certlens.recheckHosts',
  recheckHost: 'certlens.recheckHost',
  showLog: 'certlens.showLog',
  addWorkflow: 'certlens.addWorkflow',
  treatFolderAs: 'certlens.treatFolderAs',
  ignoreForTeam: 'certlens.ignoreForTeam',
} as const;

export const VIEW_ID = 'certlens.expirations';
