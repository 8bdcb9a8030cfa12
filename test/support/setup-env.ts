import 'reflect-metadata';
import { installLoopbackOnlyNet } from './loopback-only-net.js';

process.env.SHIELD_LOG_EVENTS = 'off';
installLoopbackOnlyNet();
