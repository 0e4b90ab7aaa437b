/**
 * The GitHub Actions workflow the "Add GitHub Actions Workflow" command (and the walkthrough's CI
 * step) proposes: the CertLens action of this repository, as the README's "GitHub Action" section
 * shows it. Free of `vscode`, so a unit test checks it against action.yml's inputs.
 */

/** Where the workflow is proposed, relative to a workspace folder. */
export const WORKFLOW_PATH = '.github/workflows/certificates.yml';

/** The action reference: this repository at a release tag (package.json's `repository`). */
export const ACTION_REF = 'certlens/certlens@v0';

export const WORKFLOW_TEXT = `# Certificates in this repository, checked by CertLens on every push and pull request, and daily
# (certificates expire without commits). Findings go to GitHub code scanning; the job fails on
# findings at or above fail-on. Inputs: https://github.com/certlens/certlens#github-action
name: certificates
on:
  push:
  pull_request:
  schedule:
    - cron: '17 6 * * *'
jobs:
  certlens:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write # for the upload to code scanning
    steps:
      - uses: actions/checkout@v4
      - uses: ${ACTION_REF}
        with:
          fail-on: error # expired | error | warning | info | hint | never
          # exclude: |   # globs, one a line, on top of the default excludes
          #   legacy/**
          # baseline: .certlens-baseline.json # findings accepted when adopting CertLens (certlens baseline)
          # upload: 'false' # no code scanning (a private repository without GitHub Advanced Security)
`;
