/** Injection token of the raw options passed to forRoot / forRootAsync. */
export const API_SHIELD_RAW_OPTIONS = Symbol('API_SHIELD_RAW_OPTIONS');
/** Injection token of the validated, normalised options. */
export const API_SHIELD_OPTIONS = Symbol('API_SHIELD_OPTIONS');
/** Injection token of the FlowStore in use: the FlowStore abstract class itself. */
export { FlowStore as FLOW_STORE } from './flows/flow-store.interface.js';

export const IS_PUBLIC_KEY = 'api-shield:public';
export const ROLES_KEY = 'api-shield:roles';
export const IS_AUTHENTICATED_KEY = 'api-shield:authenticated';
/** Global-registry token of the inventory, so the CLI finds it whichever copy of the package the app loaded. */
export const INVENTORY_TOKEN = Symbol.for('nestjs-api-shield:route-inventory');
export const SENSITIVE_FLOWS_KEY = 'api-shield:flows';
export const ACKNOWLEDGED_FINDINGS_KEY = 'api-shield:acknowledged';
