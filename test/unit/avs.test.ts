/**
 * AVS numbers (EAN-13) and UIDs (mod 11).
 * 756.1234.5678.97: digits 7 5 6 1 2 3 4 5 6 7 8 9 weighted 1,3,1,3...:
 * 7+15+6+3+2+9+4+15+6+21+8+27 = 123 -> check (10 - 3) % 10 = 7. Valid.
 * CHE-123.456.788: 1*5+2*4+3*3+4*2+5*7+6*6+7*5+8*4 = 168; 168 mod 11 = 3 -> 11 - 3 = 8. Valid.
 */
import { isValidAvsNumber, normalizeAvs } from '../../domain/avs';
import { isValidUid, normalizeUid } from '../../domain/uid';

describe('AVS number', () => {
  it('accepts the dotted form with a correct check digit', () => {
    expect(isValidAvsNumber('756.1234.5678.97')).toBe(true);
  });

  it('accepts the bare 13 digits registers exchange', () => {
    expect(isValidAvsNumber('7561234567897')).toBe(true);
  });

  it('refuses a wrong check digit', () => {
    expect(isValidAvsNumber('756.1234.5678.98')).toBe(false);
    expect(isValidAvsNumber('756.1234.5678.90')).toBe(false);
  });

  it('refuses a prefix other than 756 (Switzerland)', () => {
    // 757123456789: sum 7+15+7+3+2+9+4+15+6+21+8+27 = 124 -> check 6; still refused for the prefix.
    expect(isValidAvsNumber('757.1234.5678.96')).toBe(false);
  });

  it('refuses other formats', () => {
    expect(isValidAvsNumber('756.12345678.97')).toBe(false);
    expect(isValidAvsNumber('756 1234 5678 97')).toBe(false);
    expect(isValidAvsNumber('756.1234.5678.9')).toBe(false);
    expect(isValidAvsNumber('756.1234.5678.97 ')).toBe(false);
    expect(isValidAvsNumber('')).toBe(false);
  });

  it('normalises to the dotted form, or null', () => {
    expect(normalizeAvs(' 7561234567897 ')).toBe('756.1234.5678.97');
    expect(normalizeAvs('756.1234.5678.97')).toBe('756.1234.5678.97');
    expect(normalizeAvs('7561234567898')).toBeNull();
  });
});

describe('UID (commercial register)', () => {
  it('accepts a correct mod-11 check digit, dotted or compact', () => {
    expect(isValidUid('CHE-123.456.788')).toBe(true);
    expect(isValidUid('CHE123456788')).toBe(true);
  });

  it('refuses a wrong check digit or format', () => {
    expect(isValidUid('CHE-123.456.789')).toBe(false);
    expect(isValidUid('CHE-123.456.78')).toBe(false);
    expect(isValidUid('ABC-123.456.788')).toBe(false);
  });

  it('maps a remainder of 0 to check digit 0', () => {
    // 0000 1001: 1*7 + 1*4 = 11; 11 mod 11 = 0 -> 11 - 0 = 11 -> 0.
    expect(isValidUid('CHE-000.010.010')).toBe(true);
  });

  it('refuses every number whose check would be 10 (never issued)', () => {
    // 0000 0200: 2*6 = 12; 12 mod 11 = 1 -> 11 - 1 = 10: no check digit exists.
    for (let check = 0; check <= 9; check += 1) expect(isValidUid(`CHE-000.002.00${check}`)).toBe(false);
  });

  it('normalises to CHE-123.456.789, or null', () => {
    expect(normalizeUid('CHE123456788')).toBe('CHE-123.456.788');
    expect(normalizeUid('CHE123456780')).toBeNull();
  });
});
