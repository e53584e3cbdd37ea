import { AttackMatrixSchema, AttackObjectDescriptionSchema } from '../../model/attack-views.js';
import { nameSchema } from './registry.js';

nameSchema(AttackMatrixSchema, 'AttackMatrix', 'The ATT&CK matrix: tactics in order, their techniques and sub-techniques.');
nameSchema(AttackObjectDescriptionSchema, 'AttackObject', 'One ATT&CK object with its relations spelled out as ID + name.');

export { AttackMatrixSchema, AttackObjectDescriptionSchema };
