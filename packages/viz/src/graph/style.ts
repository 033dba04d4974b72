import { FONT_MONO, FONT_SANS } from '../text.js';

/** Colours of the node roles, shared by the drawing and its legend. */
export const ROLE_STYLE: Record<string, { fill: string; stroke: string; label: string; dash?: string }> = {
  parameter: { fill: '#d9f2d0', stroke: '#2e7d32', label: 'parameter' },
  input: { fill: '#ffe2bf', stroke: '#e07b00', label: 'input' },
  constant: { fill: '#eeeeee', stroke: '#8a8a8a', label: 'constant', dash: '4 3' },
  intermediate: { fill: '#fff8d6', stroke: '#b59a1c', label: 'intermediate' },
  op: { fill: '#dbe9fb', stroke: '#2f6db5', label: 'op' },
};

/** Colour of forward values on edges. */
export const VALUE_COLOUR = '#222222';
/** Colour of gradients on edges (the book prints them in red). */
export const GRAD_COLOUR = '#d62728';

/** CSS for graph drawings; embedded in every SVG so a saved SVG looks the same as the page. */
export const GRAPH_CSS = `
.zg-graph { font-family: ${FONT_SANS}; background: #fff; }
.zg-graph text { fill: #222; }
.zg-graph .zg-shape, .zg-graph .zg-value, .zg-graph .zg-grad { font-family: ${FONT_MONO}; }
.zg-graph .zg-shape { fill: #666; font-size: 11px; }
.zg-graph .zg-name { font-size: 13px; }
.zg-graph .zg-value { fill: ${VALUE_COLOUR}; font-size: 11px; }
.zg-graph .zg-grad { fill: ${GRAD_COLOUR}; font-size: 11px; }
.zg-graph .zg-edge path, .zg-graph .zg-output-edge path { fill: none; stroke: #8c8c8c; stroke-width: 1.4; }
.zg-graph .zg-flow path { stroke: ${GRAD_COLOUR}; stroke-width: 3; }
.zg-graph .zg-cluster rect { fill: #f4f7fb; stroke: #9db3cf; stroke-width: 1; }
.zg-graph .zg-cluster text { fill: #4a6a8f; font-size: 11px; font-weight: bold; }
.zg-graph .zg-node { cursor: pointer; }
.zg-graph .zg-node .zg-body { stroke-width: 1.5; }
${Object.entries(ROLE_STYLE)
  .map(
    ([role, s]) =>
      `.zg-graph .zg-role-${role} .zg-body { fill: ${s.fill}; stroke: ${s.stroke};${s.dash ? ` stroke-dasharray: ${s.dash};` : ''} }`,
  )
  .join('\n')}
.zg-graph .zg-role-parameter .zg-body { stroke-width: 2.5; }
.zg-graph .zg-role-scope .zg-body { fill: #f4f7fb; stroke: #4a6a8f; stroke-width: 2; }
.zg-graph .zg-node.zg-current .zg-body { stroke: ${GRAD_COLOUR}; stroke-width: 3.5; fill: #ffe3e0; }
.zg-graph .zg-node.zg-selected .zg-body { stroke: #000; stroke-width: 2.5; }
.zg-graph .zg-legend text { font-size: 11px; }
`;
