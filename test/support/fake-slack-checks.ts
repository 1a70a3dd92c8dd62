/** The checks live with the Web API stand-in (src/console); tests import them from here too. */
export { checkBlocks, checkMessage } from "../../src/console/checks.js";
