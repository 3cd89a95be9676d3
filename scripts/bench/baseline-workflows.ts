// The bench's baseline bundle (section 6): the workflows as they were bundled while
// domain/legal-calendar.ts imported date-holidays for the Jura list. The same workflows, plus
// the library evaluated for its side effect in each workflow's module cache, as the import did.
import 'date-holidays';

export * from '../../workflows';
