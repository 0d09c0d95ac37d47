// A Cucumber formatter that writes nothing. `npm run scenarios` names it for the targets of the html and JUnit
// reports, which it then writes itself from the message stream while Cucumber runs (reports/parent-reports.ts):
// a later `--format` for the same file replaces the profile's.
export default { type: 'formatter', formatter(): void {} };
