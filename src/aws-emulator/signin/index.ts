export { createSignInRegistration, signInServiceFactory } from './signin-service.js';
