export { createSignInRegistration, signInServiceFactory, type SignInOptions } from './signin-service.js';
