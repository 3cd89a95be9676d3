/**
 * The Jura rule list (profiles.JU.holidays, RSJU 555.1 Art. 3) cross-checked against
 * date-holidays CH/JU "public", year by year. The library is a devDependency read by this
 * test only: everything the workflows import is evaluated again for each cached workflow,
 * and the library (every country's data, moment-timezone) added ~2 MiB and ~12 ms of CPU to each.
 */
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import Holidays from 'date-holidays';
import { dayOfWeek, publicHolidays } from '../../domain/legal-calendar';
import { profiles } from '../../domain/profiles';

const YEARS = Array.from({ length: 21 }, (_, i) => 2020 + i); // 2020-2040
const library = new Holidays('CH', 'JU');

/** The library's "public" days of a year; `date` is the local day ("YYYY-MM-DD 00:00:00"), whatever the host's zone. */
function libraryDays(year: number): Array<{ day: string; name: string }> {
  return library
    .getHolidays(year)
    .filter((h) => h.type === 'public')
    .map((h) => ({ day: h.date.slice(0, 10), name: h.name }));
}

describe.each(YEARS)('Jura holidays %i: the profile against date-holidays CH/JU "public"', (year) => {
  it('gives every day the library gives, but the Jeûne fédéral (a Sunday, not in Art. 3)', () => {
    // Arrange
    const theirs = libraryDays(year);
    // Act
    const ours = publicHolidays(year, profiles.JU);
    // Assert: the only day of the library's that the profile lacks is the third Sunday of September.
    const onlyTheirs = theirs.filter((h) => !ours.includes(h.day));
    expect(onlyTheirs.map((h) => h.name)).toEqual(['Jeûne fédéral']);
    const jeune = onlyTheirs[0]!.day;
    expect(dayOfWeek(jeune)).toBe(0);
    expect(jeune >= `${year}-09-15` && jeune <= `${year}-09-21`).toBe(true);
    expect(ours.filter((day) => !theirs.some((h) => h.day === day))).toEqual([]);
  });
});

describe('the workflow bundle', () => {
  it('carries no holiday library (each cached workflow would evaluate it again)', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      failureConverterPath: require.resolve('../../infra/failure-converter'),
      logger: new DefaultLogger('WARN'),
    });
    expect(code).not.toMatch(/node_modules\/date-holidays/);
    expect(code).not.toMatch(/node_modules\/moment/);
  });
});
