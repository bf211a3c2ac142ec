import config from '@sock/eslint-config';

export default config;
