import { describe, expect, it } from 'vitest';
import { approveWithTemplate, approveWithTile, Fail, Inquire, Skip } from '../../../lib/automation';

describe('outcomes', () => {
  it('builds approve values', () => {
    // Act & Assess
    expect(approveWithTemplate('TL-1')).toEqual({ kind: 'approve-with-template', templateId: 'TL-1' });
    expect(approveWithTile('# Hi')).toEqual({ kind: 'approve-with-tile', tile: '# Hi' });
  });

  it('rejects an empty template id or tile', () => {
    // Act & Assess
    expect(() => approveWithTemplate(' ')).toThrow(TypeError);
    expect(() => approveWithTile('')).toThrow('activation tile must be a non-empty string');
    expect(() => approveWithTemplate('')).toThrow(TypeError);
  });

  it('Inquire takes a map of value errors or a list of updates', () => {
    // Act
    const fromMap = new Inquire({ email: 'Missing', phone: 'Bad' });
    const fromList = new Inquire([{ id: 'email', value: '', value_error: 'Missing' }], {
      templateId: 'TL-I',
    });

    // Assess
    expect(fromMap.params).toEqual([
      { id: 'email', value_error: 'Missing' },
      { id: 'phone', value_error: 'Bad' },
    ]);
    expect(fromMap.templateId).toBeUndefined();
    expect(fromMap).toBeInstanceOf(Error);
    expect(fromMap.name).toBe('Inquire');
    expect(fromMap.message).toBe('Inquire: email, phone');
    expect(fromList.params).toEqual([{ id: 'email', value: '', value_error: 'Missing' }]);
    expect(fromList.templateId).toBe('TL-I');
  });

  it('Fail keeps its reason, Skip its optional note', () => {
    // Act
    const fail = new Fail('No stock');
    const skip = new Skip('Later');
    const silent = new Skip();

    // Assess
    expect(fail).toMatchObject({ name: 'Fail', reason: 'No stock', message: 'No stock' });
    expect(skip).toMatchObject({ name: 'Skip', note: 'Later', message: 'Later' });
    expect(silent.note).toBeUndefined();
  });
});
