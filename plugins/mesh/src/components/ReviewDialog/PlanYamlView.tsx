import { Box, Button, Typography } from '@material-ui/core';
import {
  ClusterPlan,
  clusterPlanYaml,
} from '@meshtraffic/backstage-plugin-mesh-common';

const yamlStyle = {
  fontSize: 12,
  overflowX: 'auto',
  background: 'rgba(0,0,0,0.04)',
  padding: 8,
} as const;

/** Saves text as a file, the browser's way: a temporary link to a blob. */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/yaml' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

/** Per cluster, the objects the change writes as YAML, to copy or download. */
export const PlanYamlView = (props: {
  clusters: ClusterPlan[];
  service: string;
}) => (
  <>
    {props.clusters.map(c => {
      const yaml = clusterPlanYaml(c);
      return (
        <Box key={c.cluster} mb={2}>
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            <Typography variant="h6">{c.cluster}</Typography>
            <Button
              size="small"
              aria-label={`Copy ${c.cluster} YAML`}
              onClick={() => navigator.clipboard?.writeText(yaml)}
            >
              Copy
            </Button>
            <Button
              size="small"
              aria-label={`Download ${c.cluster} YAML`}
              onClick={() =>
                download(`${props.service}-${c.cluster}.yaml`, yaml)
              }
            >
              Download
            </Button>
          </Box>
          <pre style={yamlStyle} aria-label={`${c.cluster} YAML`}>
            {yaml}
          </pre>
        </Box>
      );
    })}
  </>
);
