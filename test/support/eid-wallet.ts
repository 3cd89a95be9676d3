// The test issuer and holder wallet live in fakes/eid-wallet/ (the demo uses them too).
export * from '../../fakes/eid-wallet/issuer';
export * from '../../fakes/eid-wallet/wallet';
