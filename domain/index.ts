export * from './profiles';
export * from './legal-calendar';
export * from './avs';
export * from './uid';
