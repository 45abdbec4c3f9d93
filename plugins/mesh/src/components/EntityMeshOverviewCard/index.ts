export { EntityMeshOverviewCard } from './EntityMeshOverviewCard';
