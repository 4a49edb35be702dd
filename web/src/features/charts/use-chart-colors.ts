import { useEffect, useState } from 'react';
import { LIGHT_CHART_COLORS, type ChartColors } from './chart-option';

function readColors(): ChartColors {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--text', LIGHT_CHART_COLORS.text),
    muted: read('--text-muted', LIGHT_CHART_COLORS.muted),
    grid: read('--border', LIGHT_CHART_COLORS.grid),
    surface: read('--surface-raised', LIGHT_CHART_COLORS.surface),
  };
}

/** The theme's chart colours, read again when the theme changes (the root's `data-theme`). */
export function useChartColors(): ChartColors {
  const [colors, setColors] = useState(readColors);
  useEffect(() => {
    const observer = new MutationObserver(() => setColors(readColors()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return colors;
}
