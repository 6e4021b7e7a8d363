/** Namespace declarations as the canonical writer takes them. */
import { NS } from '../constants.js';
import type { NsDecl } from './canonical-writer.js';

export const SAMLP: NsDecl = ['samlp', NS.samlp];
export const SAML: NsDecl = ['saml', NS.saml];
export const MD: NsDecl = ['md', NS.md];
export const DS: NsDecl = ['ds', NS.ds];
