/*
 * scoped-form.js - a FieldForm (person-form.js) for a page that holds several forms: the ids of
 * its controls carry the form's scope ("f-site-capacity", "f-transport-capacity"), so that two
 * forms may have a field of the same API name, while errors are still found by the API's field
 * path ("capacity").
 */
import { FieldForm } from './person-form.js';

export class ScopedForm extends FieldForm {
  constructor(scope) {
    super();
    this.scope = scope;
  }

  field(key, labelKey, control, hintKey) {
    const scoped = `${this.scope}.${key}`;
    const node = super.field(scoped, labelKey, control, hintKey);
    this.controls.set(key, this.controls.get(scoped));
    this.controls.delete(scoped);
    return node;
  }
}
